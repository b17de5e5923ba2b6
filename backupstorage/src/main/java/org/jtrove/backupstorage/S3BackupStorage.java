package org.jtrove.backupstorage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Backups in an S3-compatible object store (AWS S3, Ceph RGW, MinIO, ...). Objects are written as multipart
 * uploads of {@value #PART_BYTES} bytes, so memory use stays at one part whatever the backup's size; an upload
 * that fails is aborted and leaves no object.
 */
public final class S3BackupStorage implements BackupStorage, AutoCloseable {
    static final int PART_BYTES = 8 << 20;
    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final String endpoint;

    public record Settings(String endpoint, String region, String bucket, String prefix, String accessKey,
                           String secretKey, boolean pathStyle) {
        @Override
        public String toString() {
            return "S3[" + endpoint + " " + bucket + "/" + prefix + "]";   // never the secret
        }
    }

    public S3BackupStorage(Settings settings) {
        if (settings.bucket() == null || settings.bucket().isBlank()) {
            throw new IllegalArgumentException("backup_s3_bucket is required for S3 backup storage");
        }
        var builder = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .region(Region.of(settings.region() == null ? "us-east-1" : settings.region()))
                .forcePathStyle(settings.pathStyle())
                // Checksums only where S3 requires them: many S3-compatible stores reject the SDK's trailing ones.
                // Integrity is end to end anyway (SHA-256 of the sealed object, AES-GCM per segment).
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (settings.accessKey() != null) {
            builder.credentialsProvider(StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(settings.accessKey(), settings.secretKey())));
        }
        if (settings.endpoint() != null) {
            builder.endpointOverride(URI.create(settings.endpoint()));
        }
        this.s3 = builder.build();
        this.bucket = settings.bucket();
        this.prefix = settings.prefix() == null ? "" : settings.prefix();
        this.endpoint = settings.endpoint() == null ? "s3://" : settings.endpoint();
    }

    @Override
    public OutputStream create(String key) throws IOException {
        return new MultipartOutput(prefix + key);
    }

    @Override
    public InputStream open(String key) throws IOException {
        try {
            return s3.getObject(b -> b.bucket(bucket).key(prefix + key));
        } catch (NoSuchKeyException e) {
            throw new java.nio.file.NoSuchFileException("s3://" + bucket + "/" + prefix + key);
        } catch (SdkException e) {
            throw new IOException("cannot read s3://" + bucket + "/" + prefix + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(prefix + key));
        } catch (SdkException e) {
            throw new IOException("cannot delete s3://" + bucket + "/" + prefix + key + ": " + e.getMessage(), e);
        }
    }

    /** Multipart uploads under the prefix that were started and never completed or aborted. */
    @Override
    public java.util.List<String> partialKeys() throws IOException {
        try {
            return s3.listMultipartUploadsPaginator(b -> b.bucket(bucket).prefix(prefix)).uploads().stream()
                    .map(u -> u.key().substring(prefix.length())).distinct().sorted().toList();
        } catch (SdkException e) {
            throw new IOException("cannot list unfinished uploads in s3://" + bucket + "/" + prefix + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void discardPartial(String key) throws IOException {
        try {
            s3.listMultipartUploadsPaginator(b -> b.bucket(bucket).prefix(prefix + key)).uploads().stream()
                    .filter(u -> u.key().equals(prefix + key))
                    .forEach(u -> s3.abortMultipartUpload(b -> b.bucket(bucket).key(u.key()).uploadId(u.uploadId())));
        } catch (SdkException e) {
            throw new IOException("cannot abort unfinished uploads of s3://" + bucket + "/" + prefix + key + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String location(String key) {
        return endpoint.replaceAll("/+$", "") + "/" + bucket + "/" + prefix + key;
    }

    @Override
    public void close() {
        s3.close();
    }

    private final class MultipartOutput extends OutputStream implements Abortable {
        private final String key;
        private byte[] part = new byte[PART_BYTES];
        private int filled;
        private String uploadId;
        private final List<CompletedPart> parts = new ArrayList<>();
        private boolean done;

        MultipartOutput(String key) {
            this.key = key;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n = Math.min(len, part.length - filled);
                System.arraycopy(b, off, part, filled, n);
                filled += n;
                off += n;
                len -= n;
                if (filled == part.length) {
                    uploadPart();
                    // S3 allows 10,000 parts: parts grow (8 MiB, then 16, 32, ... every 1,000) so size has no practical cap
                    int wanted = PART_BYTES << Math.min(6, parts.size() / 1000);
                    if (wanted != part.length) {
                        part = new byte[wanted];
                    }
                }
            }
        }

        private void uploadPart() throws IOException {
            try {
                if (uploadId == null) {
                    uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
                }
                int number = parts.size() + 1;
                String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(number),
                        RequestBody.fromBytes(java.util.Arrays.copyOf(part, filled))).eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                filled = 0;
            } catch (SdkException e) {
                throw new IOException("upload to s3://" + bucket + "/" + key + " failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() throws IOException {
            if (done) {
                return;
            }
            done = true;
            try {
                if (uploadId == null) {   // small object: one plain PUT
                    s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(java.util.Arrays.copyOf(part, filled)));
                    return;
                }
                if (filled > 0) {
                    uploadPart();
                }
                s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                        .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
            } catch (SdkException e) {
                abortUpload();
                throw new IOException("upload to s3://" + bucket + "/" + key + " failed: " + e.getMessage(), e);
            } catch (IOException e) {
                abortUpload();
                throw e;
            }
        }

        @Override
        public void abort() {
            if (!done) {
                done = true;
                abortUpload();
            }
        }

        private void abortUpload() {
            if (uploadId != null) {
                try {
                    s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
                } catch (SdkException e) {
                    // nothing readable was created; stores keep abandoned parts until a lifecycle rule expires them
                }
            }
        }
    }
}
