package org.jtrove.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Fresh state directories and non-overlapping loopback ranges for test servers. */
final class TestServers {
    private static final AtomicInteger NEXT_BASE = new AtomicInteger(40 + (int) (ProcessHandle.current().pid() % 50) * 3);

    private static final List<Path> CREATED = new CopyOnWriteArrayList<>();

    static {
        // Each test server's state holds templates and spare data directories (~0.4 GB); leaving them in /tmp
        // filled the disk after a few runs. Servers are closed in @AfterAll; StateDirCleanup removes the class's
        // directories right after, and this hook whatever is left when the JVM exits (Surefire gives an exiting
        // fork only 30 s, too little to remove twenty of them at the end).
        // -Djtrove.keepTestState=true keeps them, to read server logs after a failure.
        if (!Boolean.getBoolean("jtrove.keepTestState")) {
            Runtime.getRuntime().addShutdownHook(new Thread(TestServers::removeAll));
        }
    }

    /** Removes every state directory made so far (their servers are closed); kept with -Djtrove.keepTestState. */
    static void removeAll() {
        if (Boolean.getBoolean("jtrove.keepTestState")) {
            return;
        }
        for (Path dir : List.copyOf(CREATED)) {
            remove(dir);
            CREATED.remove(dir);
        }
    }

    private TestServers() {}

    static Path stateDir(String name) throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "jtrove-" + name + "-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        CREATED.add(dir);
        return dir.resolve("state");
    }

    private static void remove(Path dir) {
        try {
            new ProcessBuilder("rm", "-rf", "--one-file-system", dir.toString()).inheritIO().start().waitFor();
        } catch (IOException | InterruptedException e) {
            System.err.println("could not remove " + dir + ": " + e);
        }
    }

    static JtroveConfig config(Path state) {
        return JtroveConfig.defaults().with("state_dir", state.toString()).with("port", 0)
                .with("bind_host", "127.0.0.1").with("address_base", NEXT_BASE.getAndIncrement())
                .with("auth", "noauth").with("rate_limit_per_minute", 0);
    }
}
