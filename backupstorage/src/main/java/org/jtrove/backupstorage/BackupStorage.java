package org.jtrove.backupstorage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Where sealed backup objects live. Objects are written once, as a stream, and appear only when the stream is
 * closed without error: a failed or interrupted backup leaves nothing a restore could mistake for a backup.
 */
public interface BackupStorage {
    /** Starts writing object {@code key}; {@link #abort} it if the backup fails before close. */
    OutputStream create(String key) throws IOException;

    InputStream open(String key) throws IOException;

    /** Removes the object; absent objects are fine (a delete may be retried). */
    void delete(String key) throws IOException;

    /** Keys of objects whose writing began and never ended (their writer was killed): candidates for cleanup. */
    java.util.List<String> partialKeys() throws IOException;

    /** Drops what an unfinished write of {@code key} left (a complete object of that key stays). */
    void discardPartial(String key) throws IOException;

    /** Where the object is, for the backup's {@code locationRef}. */
    String location(String key);

    /** Drops what {@link #create} wrote so far. */
    static void abort(OutputStream partial) {
        if (partial instanceof Abortable a) {
            a.abort();
        }
    }

    /** An output stream that can be discarded instead of committed. */
    interface Abortable {
        void abort();
    }
}
