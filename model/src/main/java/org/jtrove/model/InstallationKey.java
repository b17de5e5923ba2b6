package org.jtrove.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The installation's one secret key: base64 of 32 random bytes in a file (mode 0600). Backups are sealed with it
 * and secrets kept in the metadata store are encrypted with a key derived from it. jtrove ships no key: each
 * installation makes its own at first start, and cannot restore its backups or read its task secrets without it.
 */
public final class InstallationKey {
    public static final int LENGTH = 32;

    private InstallationKey() {}

    /**
     * The key bytes from {@code file}; with {@code create}, a missing file gets a new random key first.
     *
     * @throws IllegalStateException if the file is missing (without {@code create}) or not base64 of 32 bytes
     */
    public static byte[] load(Path file, boolean create) {
        try {
            if (!Files.exists(file)) {
                if (!create) {
                    throw new IllegalStateException("the key file " + file + " does not exist");
                }
                byte[] key = new byte[LENGTH];
                new SecureRandom().nextBytes(key);
                Files.createDirectories(file.toAbsolutePath().getParent());
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(file, Base64.getEncoder().encodeToString(key) + "\n");
            }
            byte[] key = Base64.getDecoder().decode(Files.readString(file).trim());
            if (key.length != LENGTH) {
                throw new IllegalArgumentException("the key must be 32 bytes (256 bits), not " + key.length);
            }
            return key;
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot read the key from " + file
                    + " (expected base64 of 32 bytes, e.g. from `openssl rand -base64 32`): " + e.getMessage(), e);
        }
    }
}
