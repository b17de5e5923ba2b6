package org.jtrove.backupstorage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.Random;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Against S3Proxy, an S3-compatible server speaking the real S3 protocol over HTTP (with SigV4 authentication)
 * on loopback, holding objects in memory: AWS itself cannot run here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3BackupStorageTest {
    private BlobStoreContext blobs;
    private S3Proxy proxy;
    private S3BackupStorage storage;

    @BeforeAll
    void start() throws Exception {
        blobs = ContextBuilder.newBuilder("transient").credentials("unused", "unused").build(BlobStoreContext.class);
        blobs.getBlobStore().createContainerInLocation(null, "backups");
        proxy = S3Proxy.builder().blobStore(blobs.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "jtrove-access", "jtrove-secret-key").build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) {
            Thread.sleep(10);
        }
        storage = new S3BackupStorage(settings("jtrove-secret-key"));
    }

    private S3BackupStorage.Settings settings(String secret) {
        return new S3BackupStorage.Settings("http://127.0.0.1:" + proxy.getPort(), "us-east-1", "backups", "jtrove/",
                "jtrove-access", secret, true);
    }

    @AfterAll
    void stop() throws Exception {
        storage.close();
        proxy.stop();
        blobs.close();
    }

    @Test
    void aBackupLargerThanOnePartStreamsUpAndBackSealed() throws Exception {
        byte[] data = new byte[S3BackupStorage.PART_BYTES * 2 + 12345];
        new Random(3).nextBytes(data);
        byte[] key = new byte[32];
        BackupVault vault = new BackupVault(storage, new BackupCodec(key));
        BackupVault.Stored stored = vault.write("b1.jtb", "b1", out -> out.write(data));
        assertThat(stored.location()).endsWith("/backups/jtrove/b1.jtb");
        assertThat(stored.sizeBytes()).isGreaterThan(data.length);   // random data does not compress; AEAD adds tags
        try (InputStream in = vault.read("b1.jtb", "b1", stored.checksum())) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        assertThat(blobs.getBlobStore().blobExists("backups", "jtrove/b1.jtb")).isTrue();
        vault.delete("b1.jtb");
        assertThat(blobs.getBlobStore().blobExists("backups", "jtrove/b1.jtb")).isFalse();
        assertThatThrownBy(() -> storage.open("b1.jtb")).isInstanceOf(IOException.class);
    }

    @Test
    void aSmallObjectIsOnePutAndAnAbortedUploadLeavesNothing() throws Exception {
        try (OutputStream out = storage.create("small")) {
            out.write(new byte[] {4, 5, 6});
        }
        try (InputStream in = storage.open("small")) {
            assertThat(in.readAllBytes()).containsExactly(4, 5, 6);
        }
        OutputStream failing = storage.create("aborted");
        failing.write(new byte[S3BackupStorage.PART_BYTES + 10]);   // one part already uploaded
        BackupStorage.abort(failing);
        assertThat(blobs.getBlobStore().blobExists("backups", "jtrove/aborted")).isFalse();
    }

    @Test
    void wrongCredentialsAreAnIoErrorThatDoesNotShowTheSecret() {
        try (S3BackupStorage wrong = new S3BackupStorage(settings("not-the-secret"))) {
            assertThatThrownBy(() -> {
                try (OutputStream out = wrong.create("x")) {
                    out.write(1);
                }
            }).isInstanceOf(IOException.class).hasMessageNotContaining("not-the-secret");
            assertThat(settings("not-the-secret").toString()).doesNotContain("not-the-secret");
        }
    }
}
