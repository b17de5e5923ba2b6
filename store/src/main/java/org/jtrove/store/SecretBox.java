package org.jtrove.store;

import com.google.crypto.tink.subtle.AesGcmJce;
import com.google.crypto.tink.subtle.Hkdf;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Encrypts what the metadata store must keep but nobody may read from its files: task payloads, which can hold
 * the passwords of users still to be created. AES-256-GCM (Tink) with a key derived by HKDF-SHA256 from the
 * installation's key, so a copy of the store's files alone reveals nothing. Stored text: {@code "v1:" + base64}.
 */
public final class SecretBox {
    private static final String PREFIX = "v1:";
    private static final byte[] INFO = "jtrove metadata secrets v1".getBytes(StandardCharsets.US_ASCII);
    private final AesGcmJce aead;

    /** @param installationKey the installation's 32-byte key (see {@code InstallationKey}) */
    public SecretBox(byte[] installationKey) {
        try {
            byte[] key = Hkdf.computeHkdf("HMACSHA256", installationKey, new byte[0], INFO, 32);
            this.aead = new AesGcmJce(key);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up the metadata secret key: " + e.getMessage(), e);
        }
    }

    /** A box with a random key that lives as long as the process: for tests that never reopen their store. */
    public static SecretBox ephemeral() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return new SecretBox(key);
    }

    /** {@code plain} sealed; the column's name is bound as associated data, so a value cannot be moved elsewhere. */
    public String seal(String plain, String column) {
        try {
            byte[] sealed = aead.encrypt(plain.getBytes(StandardCharsets.UTF_8), column.getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getEncoder().encodeToString(sealed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt a " + column + " value", e);
        }
    }

    /**
     * The plain text of a value written by {@link #seal}; a value without the prefix is returned as it is (rows
     * written before encryption).
     *
     * @throws IllegalStateException if the value was sealed with another installation's key or altered
     */
    public String open(String stored, String column) {
        if (stored == null || !stored.startsWith(PREFIX)) {
            return stored;
        }
        try {
            byte[] plain = aead.decrypt(Base64.getDecoder().decode(stored.substring(PREFIX.length())),
                    column.getBytes(StandardCharsets.UTF_8));
            return new String(plain, StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot decrypt a " + column + " value: was the installation key"
                    + " (backup_key_file) replaced?", e);
        }
    }
}
