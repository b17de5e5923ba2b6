package org.jtrove.server;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * One process per role (taskmanager, guest-agent host) and state directory: an exclusive lock on
 * {@code STATE/<role>.lock}, held while the process lives (the kernel drops it when the process dies, however it
 * dies). Holding the taskmanager's proves that the process that last used this directory's taskmanager name
 * ({@code STATE/taskmanager.id}) is gone, so this one may take back its leased tasks at once instead of waiting
 * for the leases to expire.
 */
final class StateLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;
    private final String taskmanagerName;

    private StateLock(FileChannel channel, FileLock lock, String taskmanagerName) {
        this.channel = channel;
        this.lock = lock;
        this.taskmanagerName = taskmanagerName;
    }

    /** @throws IllegalStateException if another live process holds {@code role} in the directory */
    static StateLock acquire(Path state, String role) {
        try {
            FileChannel channel = FileChannel.open(state.resolve(role + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                throw new IllegalStateException("Another jtrove " + role + " is running with the state directory "
                        + state + "; stop it first, or give this one another state directory (JTROVE_STATE_DIR).");
            }
            Path idFile = state.resolve("taskmanager.id");
            if (!Files.exists(idFile)) {
                Files.writeString(idFile, UUID.randomUUID() + "\n");
            }
            String name = InetAddress.getLocalHost().getHostName() + ":" + Files.readString(idFile).trim();
            return new StateLock(channel, lock, name);
        } catch (IOException e) {
            throw new IllegalStateException("cannot lock the state directory " + state + ": " + e.getMessage(), e);
        }
    }

    /** The taskmanager's name in task leases: the host and this state directory's id. */
    String taskmanagerName() {
        return taskmanagerName;
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the lock goes with the process anyway
        }
    }
}
