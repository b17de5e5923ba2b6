package org.jtrove.backupstorage;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import com.google.crypto.tink.subtle.AesGcmHkdfStreaming;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import org.jtrove.model.InstallationKey;

/**
 * Seals a backup while it streams: zstd compression, then AES-256-GCM streaming encryption (Tink's
 * AES-GCM-HKDF, 1 MiB segments, each authenticated; the backup id is bound as associated data), then a
 * SHA-256 checksum and byte count of what is stored. Nothing is buffered beyond one segment.
 */
public final class BackupCodec {
    private static final int SEGMENT = 1 << 20;
    private final AesGcmHkdfStreaming aead;

    public BackupCodec(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("the backup encryption key must be 32 bytes (256 bits)");
        }
        try {
            this.aead = new AesGcmHkdfStreaming(key, "HmacSha256", 32, SEGMENT, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads the key (base64 of 32 random bytes) from {@code file}; with {@code create}, a missing file gets a new
     * random key (mode 0600). jtrove ships no key: each installation has its own.
     */
    public static BackupCodec fromKeyFile(Path file, boolean create) {
        return new BackupCodec(InstallationKey.load(file, create));
    }

    /** A stream that seals what is written into {@code sink}; read {@link Sealing#size()} etc. after close. */
    public Sealing seal(OutputStream sink, String backupId) throws IOException {
        return new Sealing(sink, backupId);
    }

    /** The plain payload of a sealed object; the checksum is verified when the stream is closed. */
    public InputStream unseal(InputStream stored, String backupId, String expectedSha256) throws IOException {
        Verifying verifying = new Verifying(stored, expectedSha256);
        try {
            InputStream plain = aead.newDecryptingStream(verifying, aad(backupId));
            return new ZstdInputStream(plain) {
                @Override
                public void close() throws IOException {
                    try {
                        super.close();
                    } finally {
                        verifying.drainAndVerify();
                    }
                }
            };
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot decrypt backup " + backupId + ": " + e.getMessage(), e);
        }
    }

    private static byte[] aad(String backupId) {
        return ("jtrove-backup:" + backupId).getBytes(StandardCharsets.UTF_8);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Payload in; compressed, encrypted, counted and hashed bytes out to the sink. */
    public final class Sealing extends FilterOutputStream {
        private final Counting counting;
        private boolean closed;
        private String sha256;

        Sealing(OutputStream sink, String backupId) throws IOException {
            super(null);
            this.counting = new Counting(sink);
            try {
                ZstdOutputStream zstd = new ZstdOutputStream(aead.newEncryptingStream(counting, aad(backupId)), 3);
                zstd.setWorkers(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
                this.out = zstd;
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot start encryption: " + e.getMessage(), e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                out.close();
                sha256 = HexFormat.of().formatHex(counting.digest.digest());
            }
        }

        /** Bytes stored (after compression and encryption). */
        public long size() {
            return counting.count;
        }

        /** SHA-256 (hex) of the stored bytes; known once the stream is closed. */
        public String sha256() {
            if (sha256 == null) {
                throw new IllegalStateException("the checksum is known only after close");
            }
            return sha256;
        }
    }

    private static final class Counting extends FilterOutputStream {
        final MessageDigest digest = sha256();
        long count;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            digest.update(b, off, len);
            count += len;
        }
    }

    private static final class Verifying extends FilterInputStream {
        private final MessageDigest digest = sha256();
        private final String expected;
        private boolean verified;

        Verifying(InputStream in, String expected) {
            super(in);
            this.expected = expected;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                digest.update(b, off, n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            throw new IOException("skipping would bypass the checksum");
        }

        void drainAndVerify() throws IOException {
            if (verified) {
                return;
            }
            verified = true;
            byte[] buffer = new byte[1 << 16];
            while (read(buffer, 0, buffer.length) >= 0) {
                // hash whatever the reader left unread
            }
            in.close();
            String actual = HexFormat.of().formatHex(digest.digest());
            if (expected != null && !expected.equalsIgnoreCase(actual)) {
                throw new IOException("backup checksum mismatch: stored object has SHA-256 " + actual + ", expected "
                        + expected + "; the object was damaged or replaced");
            }
        }

        @Override
        public void close() {
            // closed by drainAndVerify, after the checksum is known
        }
    }
}
