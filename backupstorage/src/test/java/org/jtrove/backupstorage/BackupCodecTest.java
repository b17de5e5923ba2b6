package org.jtrove.backupstorage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupCodecTest {
    private static final byte[] KEY = new byte[32];
    static {
        new Random(1).nextBytes(KEY);
    }

    private static byte[] payload(int size) {
        byte[] data = new byte[size];
        Random r = new Random(7);
        for (int i = 0; i < size; i++) {
            data[i] = (byte) (i % 4096 < 2048 ? 'a' + (i % 7) : r.nextInt());   // half compressible, half noise
        }
        return data;
    }

    @Test
    void sealedDataIsSmallerEncryptedAndComesBackWhole() throws Exception {
        byte[] data = payload(5_000_000);
        BackupCodec codec = new BackupCodec(KEY);
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        BackupCodec.Sealing sealing = codec.seal(stored, "b1");
        sealing.write(data);
        sealing.close();
        byte[] bytes = stored.toByteArray();
        assertThat(sealing.size()).isEqualTo(bytes.length).isLessThan(data.length * 3L / 4);
        assertThat(sealing.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        assertThat(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("abcdefg");

        try (InputStream in = codec.unseal(new ByteArrayInputStream(bytes), "b1", sealing.sha256())) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
    }

    @Test
    void wrongKeyWrongBackupIdTamperingAndWrongChecksumAreRefused() throws Exception {
        byte[] data = payload(3_000_000);
        BackupCodec codec = new BackupCodec(KEY);
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        BackupCodec.Sealing sealing = codec.seal(stored, "b1");
        sealing.write(data);
        sealing.close();
        byte[] bytes = stored.toByteArray();

        byte[] otherKey = KEY.clone();
        otherKey[0] ^= 1;
        assertThatThrownBy(() -> readAll(new BackupCodec(otherKey), bytes, "b1", null)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> readAll(codec, bytes, "b2", null)).isInstanceOf(IOException.class);
        byte[] tampered = bytes.clone();
        tampered[tampered.length / 2] ^= 0x40;
        assertThatThrownBy(() -> readAll(codec, tampered, "b1", null)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> readAll(codec, bytes, "b1", "00".repeat(32)))
                .isInstanceOf(IOException.class).hasMessageContaining("checksum mismatch");
    }

    private static void readAll(BackupCodec codec, byte[] bytes, String id, String sha) throws IOException {
        try (InputStream in = codec.unseal(new ByteArrayInputStream(bytes), id, sha)) {
            in.readAllBytes();
        }
    }

    @Test
    void keyFileIsCreatedPrivateOnceAndReused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("backup.key");
        assertThatThrownBy(() -> BackupCodec.fromKeyFile(file, false)).isInstanceOf(IllegalStateException.class);
        BackupCodec first = BackupCodec.fromKeyFile(file, true);
        assertThat(Files.getPosixFilePermissions(file)).hasSize(2);
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        try (OutputStream out = first.seal(stored, "x")) {
            out.write("hello".getBytes());
        }
        BackupCodec again = BackupCodec.fromKeyFile(file, true);
        try (InputStream in = again.unseal(new ByteArrayInputStream(stored.toByteArray()), "x", null)) {
            assertThat(new String(in.readAllBytes())).isEqualTo("hello");
        }
        Files.writeString(file, "too-short");
        assertThatThrownBy(() -> BackupCodec.fromKeyFile(file, true)).hasMessageContaining("32 bytes");
    }

    @Test
    void localStorageShowsAnObjectOnlyAfterACleanClose(@TempDir Path dir) throws Exception {
        LocalBackupStorage storage = new LocalBackupStorage(dir.resolve("b"));
        OutputStream failed = storage.create("one");
        failed.write(1);
        BackupStorage.abort(failed);
        assertThatThrownBy(() -> storage.open("one")).isInstanceOf(IOException.class);
        try (OutputStream ok = storage.create("two")) {
            ok.write(new byte[] {1, 2, 3});
        }
        try (InputStream in = storage.open("two")) {
            assertThat(in.readAllBytes()).containsExactly(1, 2, 3);
        }
        assertThat(storage.location("two")).startsWith("file:/").endsWith("/b/two");
        storage.delete("two");
        storage.delete("two");
        assertThatThrownBy(() -> storage.open("two")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> storage.create("../escape")).isInstanceOf(IllegalArgumentException.class);
    }
}
