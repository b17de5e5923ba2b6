package org.jtrove.guestagent.backup;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** Lets an archive writer finish its stream without closing the sealed backup stream under it: the vault does. */
public final class NonClosing extends FilterOutputStream {
    public NonClosing(OutputStream out) {
        super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
        flush();
    }
}
