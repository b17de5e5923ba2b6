package org.jtrove.guestagent.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.jtrove.model.Cidr;
import org.jtrove.model.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer addresses this host gave out: each replica set's one stable address for writes, taken from the host's
 * instance addresses and forwarded with nftables ({@link NftablesRules#forwardWriter}) to the set's current source.
 * Each is recorded in {@code STATE/writers/<address>.json} (the key it was asked for, where it points) before its rules
 * change, so the host re-applies every one at its next start ({@link #reapply}) and never gives the address to an
 * instance or another set. The rules outlive jtrove.
 */
final class WriterAddresses {
    private static final Logger LOG = LoggerFactory.getLogger(WriterAddresses.class);

    /** One writer address: the key it was allocated for, the source's address it forwards to, and the port. */
    record Writer(String key, String address, String target, int port) {}

    private final Path dir;
    private final NftablesRules rules = new NftablesRules();

    /** {@code dir}: where the records live ({@code STATE/writers}). */
    WriterAddresses(Path dir) {
        this.dir = dir;
    }

    /** The addresses recorded here. */
    synchronized List<String> addresses() {
        return all().stream().map(Writer::address).toList();
    }

    /**
     * The addresses the recorded writer addresses forward to. A target whose instance went while its set's writer
     * could not be moved (its host was down) must not be handed to a new instance: the writer would reach it.
     */
    synchronized List<String> targets() {
        return all().stream().map(Writer::target).toList();
    }

    /** The address allocated for {@code key}, if any (so that a repeated request gets the same one). */
    synchronized Optional<String> addressOf(String key) {
        return all().stream().filter(w -> w.key().equals(key)).map(Writer::address).findFirst();
    }

    /** Records {@code writer}, then forwards it. Idempotent. */
    synchronized void forward(Writer writer) throws IOException {
        Files.createDirectories(dir);
        Path file = file(writer.address());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, Json.write(writer));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        apply(writer);
    }

    /** Deletes the rules of {@code address}, then its record; nothing if it is unknown. */
    synchronized void remove(String address) throws IOException {
        rules.removeWriter(Cidr.literal(address));
        Files.deleteIfExists(file(address));
    }

    /** Puts every recorded writer address in force again (at start); one that fails is logged and left. */
    synchronized void reapply() {
        for (Writer w : all()) {
            try {
                apply(w);
            } catch (RuntimeException e) {
                LOG.error("writer address {}: cannot forward it to {} again: {}", w.address(), w.target(), e.getMessage());
            }
        }
    }

    private void apply(Writer w) {
        rules.forwardWriter(Cidr.literal(w.address()), Cidr.literal(w.target()), w.port());
        LOG.info("writer address {} (key {}) forwards to {}:{}", w.address(), w.key(), w.target(), w.port());
    }

    private Path file(String address) {
        if (Cidr.literal(address) == null || !address.matches("[0-9.]+")) {
            throw new IllegalArgumentException("not an IPv4 address: " + address);
        }
        return dir.resolve(address + ".json");
    }

    private List<Writer> all() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Writer> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".json")).toList()) {
                out.add(Json.MAPPER.readValue(Files.readString(f), Writer.class));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the writer addresses in " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }
}
