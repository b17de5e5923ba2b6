package org.jtrove.guestagent.backup;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.jtrove.model.Json;

/**
 * The first bytes of every backup payload, before the datastore's own stream: which server it came from and the
 * admin password it had then (the restored data holds that password; the whole payload is encrypted at rest).
 */
public record BackupEnvelope(String manager, String version, String adminPassword) {
    private static final int MAGIC = 0x4A544231;   // "JTB1"

    public void writeTo(OutputStream out) throws IOException {
        byte[] header = Json.write(this).getBytes(StandardCharsets.UTF_8);
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(MAGIC);
        data.writeInt(header.length);
        data.write(header);
        data.flush();
    }

    public static BackupEnvelope readFrom(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        if (data.readInt() != MAGIC) {
            throw new IOException("not a jtrove backup payload");
        }
        int length = data.readInt();
        if (length < 2 || length > 65536) {
            throw new IOException("damaged backup header");
        }
        return Json.convert(Json.parse(new String(data.readNBytes(length), StandardCharsets.UTF_8)), BackupEnvelope.class);
    }

    @Override
    public String toString() {
        return "BackupEnvelope[" + manager + " " + version + "]";
    }
}
