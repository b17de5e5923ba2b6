package org.jtrove.guestagent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.jtrove.model.Json;
import org.jtrove.model.guest.AgentBoot;

/**
 * An agent's boot file, {@code agent/boot.json}: root only (0600, it holds the agent's broker credentials),
 * replaced atomically so a killed writer leaves the old one or the new one.
 */
public final class BootFiles {
    private static final String NAME = "boot.json";

    private BootFiles() {}

    /** The boot file in {@code agentDir}, if there is one. */
    public static Optional<AgentBoot> read(Path agentDir) {
        Path file = agentDir.resolve(NAME);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.convert(Json.parse(Files.readString(file)), AgentBoot.class));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the boot file " + file + ": " + e.getMessage(), e);
        }
    }

    public static void write(Path agentDir, AgentBoot boot) throws IOException {
        Files.createDirectories(agentDir);
        Files.setPosixFilePermissions(agentDir, PosixFilePermissions.fromString("rwx------"));
        Path tmp = agentDir.resolve(NAME + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, Json.write(boot));
        Files.move(tmp, agentDir.resolve(NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
