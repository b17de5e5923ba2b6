package org.jtrove.guestagent.backup;

import java.io.IOException;
import java.io.InputStream;

/** One backup of a restore chain as its datastore sees it: the meta it recorded and its plain payload. */
public interface BackupPayload {
    String meta();

    /** The payload, decrypted and decompressed; closing it verifies the stored object's checksum. */
    InputStream open() throws IOException;
}
