package org.jtrove.guestagent.host;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public path to a public instance: a {@code socat} process listening on the host's public address and the
 * instance's public port, which relays each client to the instance's own address and port, connecting from that
 * address (so the instance's access rules admit it; the public port has its own rule for the clients). It runs as
 * the instance's OS user in a session of its own, so it outlives jtrove as the database servers do, and its pid file
 * ({@code forwarder.pid} in the instance directory) lets the next jtrove adopt it. Each relayed connection is a child
 * process of the listener; stopping the forwarder ends them too.
 */
final class PublicForwarder {
    private static final Logger LOG = LoggerFactory.getLogger(PublicForwarder.class);
    private static final String PID_FILE = "forwarder.pid";
    /** Connections relayed at once; more wait in the listen queue (a guard against runaway forking). */
    private static final int MAX_CONNECTIONS = 1000;

    /** socat's arguments for relaying {@code publicAddress:publicPort} to {@code address:port}. */
    static List<String> command(InetAddress publicAddress, int publicPort, String address, int port) {
        boolean v6 = publicAddress instanceof Inet6Address;
        String listen = (v6 ? "TCP6-LISTEN:" : "TCP4-LISTEN:") + publicPort + ",bind="
                + (v6 ? "[" + publicAddress.getHostAddress() + "]" : publicAddress.getHostAddress())
                + ",reuseaddr,fork,keepalive,max-children=" + MAX_CONNECTIONS;
        return List.of("socat", listen, "TCP4:" + address + ":" + port + ",bind=" + address + ",keepalive");
    }

    /**
     * Makes {@code command} run for the instance: adopts the recorded forwarder if it is exactly that, else starts
     * it and waits until it listens. Throws with socat's own words if it cannot (the port taken, say).
     */
    void ensure(Path instanceDir, OsUser user, List<String> command, InetAddress publicAddress, int publicPort) {
        if (recorded(instanceDir, user).filter(p -> runs(p, command)).isPresent()) {
            return;
        }
        stop(instanceDir, user);
        try {
            Files.createDirectories(instanceDir);
            Path log = instanceDir.resolve("forwarder.log");
            ProcessHandle p = new LocalGuestHost(instanceDir, user).spawn(command, log);
            Files.writeString(instanceDir.resolve(PID_FILE), Long.toString(p.pid()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!listening(publicAddress, publicPort)) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    stop(instanceDir, user);
                    throw new IllegalStateException("the public forwarder for " + publicAddress.getHostAddress() + ":"
                            + publicPort + " did not start: " + Files.readString(log).strip()
                            + " Check public_address and public_ports, then update the access again.");
                }
                Thread.sleep(10);
            }
            LOG.info("instance {}: public on {}:{} (forwarder pid {})", instanceDir.getFileName(),
                    publicAddress.getHostAddress(), publicPort, p.pid());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the public forwarder: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted starting the public forwarder", e);
        }
    }

    /** Stops the recorded forwarder unless it runs exactly {@code command} (null: stops it in any case). */
    void stopUnless(Path instanceDir, OsUser user, List<String> command) {
        if (command == null || recorded(instanceDir, user).filter(p -> runs(p, command)).isEmpty()) {
            stop(instanceDir, user);
        }
    }

    /** Stops the recorded forwarder and the connections it relays, if any. Safe to call again. */
    void stop(Path instanceDir, OsUser user) {
        recorded(instanceDir, user).ifPresent(p -> {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            LOG.info("instance {}: public forwarder (pid {}) stopped", instanceDir.getFileName(), p.pid());
        });
        try {
            Files.deleteIfExists(instanceDir.resolve(PID_FILE));
        } catch (IOException e) {
            throw new IllegalStateException("cannot remove " + instanceDir.resolve(PID_FILE) + ": " + e.getMessage(), e);
        }
    }

    /** The forwarder in the pid file, if that pid is still a socat run by the instance's user. */
    private static Optional<ProcessHandle> recorded(Path instanceDir, OsUser user) {
        Path pidFile = instanceDir.resolve(PID_FILE);
        try {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            return ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().command().map(c -> c.endsWith("/socat")).orElse(false))
                    .filter(p -> p.info().user().map(user.name()::equals).orElse(false));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static boolean runs(ProcessHandle p, List<String> command) {
        return p.info().arguments().map(Arrays::asList).map(command.subList(1, command.size())::equals).orElse(false);
    }

    /** True if a socket listens on exactly {@code address:port} (read from /proc/net/tcp or tcp6; nothing is bound). */
    static boolean listening(InetAddress address, int port) throws IOException {
        byte[] bytes = address.getAddress();
        StringBuilder local = new StringBuilder();
        for (int word = 0; word < bytes.length; word += 4) {   // the kernel prints each 32-bit word little-endian
            for (int i = 3; i >= 0; i--) {
                local.append(HexFormat.of().toHexDigits(bytes[word + i]));
            }
        }
        String wanted = local.toString().toUpperCase(Locale.ROOT) + ":" + String.format("%04X", port);
        Path table = Path.of("/proc/net", address instanceof Inet6Address ? "tcp6" : "tcp");
        for (String line : Files.readAllLines(table)) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 3 && f[1].equals(wanted) && f[3].equals("0A")) {   // 0A: LISTEN
                return true;
            }
        }
        return false;
    }
}
