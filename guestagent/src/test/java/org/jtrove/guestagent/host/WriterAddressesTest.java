package org.jtrove.guestagent.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jtrove.model.Cidr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writer addresses on this host's real nftables: two stand-in servers (a source and the replica that takes over); the
 * writer address reaches the one it forwards to, follows a move, is forwarded again from its record after its rules
 * were lost (as at a start of jtrove), and is refused once removed, its table gone.
 */
class WriterAddressesTest {
    private static final String WRITER = "127.219.0.1";
    private static final String FIRST = "127.219.0.2";
    private static final String SECOND = "127.219.0.3";
    private static final int PORT = 15433;
    private static final String TABLE = "jtrove_writer_127_219_0_1";

    @TempDir
    Path dir;
    private final List<ServerSocket> servers = new ArrayList<>();

    @AfterEach
    void removeEverything() throws Exception {
        new NftablesRules().removeWriter(Cidr.literal(WRITER));
        for (ServerSocket s : servers) {
            s.close();
        }
        assertThat(HostAccessTest.nftTables()).doesNotContain(TABLE);
    }

    @Test
    void theWriterAddressForwardsToTheSourceItIsGiven() throws Exception {
        standIn(FIRST);
        standIn(SECOND);
        WriterAddresses writers = new WriterAddresses(dir.resolve("writers"));
        writers.forward(new WriterAddresses.Writer("set-1", WRITER, FIRST, PORT));
        assertThat(greeting()).isEqualTo(FIRST);
        assertThat(writers.addressOf("set-1")).contains(WRITER);
        assertThat(writers.addresses()).containsExactly(WRITER);

        writers.forward(new WriterAddresses.Writer("set-1", WRITER, SECOND, PORT));
        assertThat(greeting()).as("moved to the new source").isEqualTo(SECOND);

        new NftablesRules().removeWriter(Cidr.literal(WRITER));   // rules lost; the record stays
        assertThatThrownBy(this::greeting).isInstanceOf(ConnectException.class);
        new WriterAddresses(dir.resolve("writers")).reapply();
        assertThat(greeting()).as("forwarded again from its record").isEqualTo(SECOND);

        writers.remove(WRITER);
        assertThatThrownBy(this::greeting).isInstanceOf(ConnectException.class);
        assertThat(writers.addresses()).isEmpty();
        assertThat(HostAccessTest.nftTables()).doesNotContain(TABLE);
    }

    @Test
    void theScriptOnlyNamesTheWriterAddress() {
        String script = NftablesRules.writerScript(Cidr.literal(WRITER), Cidr.literal(FIRST), 5432);
        assertThat(script).startsWith("table ip " + TABLE + "\ndelete table ip " + TABLE + "\n")
                .contains("type nat hook output priority -100;")
                .contains("ip daddr " + WRITER + " tcp dport 5432 dnat to " + FIRST + ":5432");
        assertThatThrownBy(() -> NftablesRules.writerScript(Cidr.literal("::1"), Cidr.literal(FIRST), 5432))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** What the server behind the writer address says: its own address. */
    private String greeting() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(WRITER, PORT), 3000);
            s.setSoTimeout(3000);
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }

    private void standIn(String address) throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(address, PORT));
        servers.add(server);
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    s.getOutputStream().write((address + "\n").getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // closed
                }
            }
        }, "stand-in-" + address);
        t.setDaemon(true);
        t.start();
    }
}
