package org.jtrove.taskmanager;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Asks a database server itself whether it is there, without its guest agent (which may be down too): a TCP connect
 * to its address and port, then the first bytes of its protocol's handshake — PostgreSQL answers an SSLRequest with
 * {@code S} or {@code N} (protocol docs, "SSL Session Encryption"); MySQL/MariaDB greet first with a handshake or an
 * error packet; Redis answers {@code PING} with {@code +PONG} or an error ({@code -NOAUTH}). A refused or reset
 * connection, a timeout, or a connection closed without an answer counts as down. The connection is made from the
 * instance's own address when this machine has it, as jtrove's own traffic is (see HostAccess), so that the
 * instance's allowed_cidrs do not refuse it.
 */
public final class ServerProbe {
    /** PostgreSQL's SSLRequest: length 8, code 80877103. */
    private static final byte[] SSL_REQUEST = ByteBuffer.allocate(8).putInt(8).putInt(80877103).array();
    private final Duration timeout;

    /** @param timeout how long the connect, and then the answer, may take each */
    public ServerProbe(Duration timeout) {
        this.timeout = timeout;
    }

    /** Whether a {@code manager} server answers at {@code address}:{@code port}. */
    public boolean answers(String manager, String address, int port) {
        try (Socket s = new Socket()) {
            bindToInstanceAddress(s, address);
            s.connect(new InetSocketAddress(address, port), (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            switch (manager) {
                case "postgresql" -> {
                    out.write(SSL_REQUEST);
                    out.flush();
                    int b = in.read();
                    return b == 'S' || b == 'N' || b == 'E';
                }
                case "redis" -> {
                    out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    int b = in.read();
                    return b == '+' || b == '-';
                }
                case "mysql", "mariadb" -> {
                    byte[] header = in.readNBytes(5);   // 3-byte length, sequence id, protocol version 10 or 0xFF error
                    return header.length == 5 && (header[4] == 10 || (header[4] & 0xFF) == 0xFF);
                }
                default -> {
                    return true;
                }
            }
        } catch (IOException e) {
            return false;
        }
    }

    private static void bindToInstanceAddress(Socket s, String address) {
        try {
            InetAddress local = InetAddress.getByName(address);
            if (local.isLoopbackAddress()) {
                s.bind(new InetSocketAddress(local, 0));
            }
        } catch (IOException e) {
            // not an address of this machine: connect from any
        }
    }
}
