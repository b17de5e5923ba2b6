package org.jtrove.backupstorage;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Pattern;

/** Backups as files in a local (or mounted) directory, root-only; written to a temporary name, then renamed. */
public final class LocalBackupStorage implements BackupStorage {
    private static final String PARTIAL = ".partial";
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,200}");
    private final Path dir;

    public LocalBackupStorage(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the backup directory " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public OutputStream create(String key) throws IOException {
        Path target = file(key);
        Path partial = dir.resolve(key + PARTIAL);
        java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(partial,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
        return new Committing(channel, partial, target);
    }

    @Override
    public InputStream open(String key) throws IOException {
        return Files.newInputStream(file(key));
    }

    @Override
    public void delete(String key) throws IOException {
        Files.deleteIfExists(file(key));
        Files.deleteIfExists(dir.resolve(key + PARTIAL));
    }

    @Override
    public java.util.List<String> partialKeys() throws IOException {
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(PARTIAL))
                    .map(n -> n.substring(0, n.length() - PARTIAL.length())).filter(k -> KEY.matcher(k).matches())
                    .sorted().toList();
        }
    }

    @Override
    public void discardPartial(String key) throws IOException {
        file(key);   // checks the key
        Files.deleteIfExists(dir.resolve(key + PARTIAL));
    }

    @Override
    public String location(String key) {
        return file(key).toUri().toString();
    }

    private Path file(String key) {
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("not a backup object key: " + key);
        }
        return dir.resolve(key);
    }

    private static final class Committing extends FilterOutputStream implements Abortable {
        private final java.nio.channels.FileChannel channel;
        private final Path partial;
        private final Path target;
        private boolean done;

        Committing(java.nio.channels.FileChannel channel, Path partial, Path target) {
            super(new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 1 << 16));
            this.channel = channel;
            this.partial = partial;
            this.target = target;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            if (done) {
                return;
            }
            done = true;
            out.flush();
            channel.force(true);   // on disk before it is renamed and recorded as COMPLETED
            out.close();
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (java.nio.channels.FileChannel dir = java.nio.channels.FileChannel.open(target.getParent())) {
                dir.force(true);
            } catch (IOException e) {
                // some filesystems cannot sync a directory; the file itself is synced
            }
        }

        @Override
        public void abort() {
            if (done) {
                return;
            }
            done = true;
            try {
                out.close();
                Files.deleteIfExists(partial);
            } catch (IOException e) {
                // best effort: a leftover .partial is never read
            }
        }
    }
}
