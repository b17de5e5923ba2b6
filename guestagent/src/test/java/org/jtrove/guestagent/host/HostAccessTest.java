package org.jtrove.guestagent.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jtrove.model.InstanceAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host side of instance access on this host's real nftables and socat: a stand-in server on a loopback address
 * (answering "hi"), clients bound to allowed and refused source addresses, the public path over IPv4 and IPv6, and
 * nothing left behind. Runs as root, like jtrove.
 */
@Tag("e2e")
class HostAccessTest {
    private static final String ADDRESS = "127.218.0.1";
    private static final String PUBLIC = "127.218.255.255";
    private static final int PORT = 15432;

    @TempDir
    Path dir;
    private final String instanceId = UUID.randomUUID().toString();
    private OsUser user;
    private ServerSocket server;
    private HostAccess.Endpoint endpoint;

    @BeforeEach
    void standInServer() throws IOException {
        user = OsUser.ensure(OsUser.forInstance(instanceId));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        endpoint = new HostAccess.Endpoint(instanceId, ADDRESS, PORT, dir.resolve("instance"), user);
        server = new ServerSocket();
        server.bind(new InetSocketAddress(ADDRESS, PORT));
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    s.getOutputStream().write("hi\n".getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // closed
                }
            }
        }, "stand-in-server");
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void removeEverything() throws Exception {
        HostAccess access = new HostAccess(null, HostAccess.PortRange.parse("16000-16999"));
        access.remove(instanceId, endpoint.instanceDir(), user);
        server.close();
        assertThat(nftTables()).doesNotContain(NftablesRules.table(instanceId));
        user.remove();
    }

    @Test
    void allowedCidrsAdmitOnlyThoseSourcesAndJtroveItself() throws Exception {
        HostAccess access = new HostAccess(null, HostAccess.PortRange.parse("16000-16999"));
        access.apply(endpoint, new InstanceAccess(false, List.of("127.0.0.2/32", "10.0.0.0/8", "2001:db8::/32")), null);
        assertThat(nftTables()).contains(NftablesRules.table(instanceId));
        assertThat(answer(ADDRESS, PORT, "127.0.0.2")).isEqualTo("hi");
        assertThat(answer(ADDRESS, PORT, "127.0.0.3")).isNull();
        assertThat(answer(ADDRESS, PORT, "127.0.0.1")).isNull();
        assertThat(answer(ADDRESS, PORT, ADDRESS)).as("jtrove (root) from the instance's own address").isEqualTo("hi");

        access.apply(endpoint, new InstanceAccess(false, List.of("127.0.0.3")), null);
        assertThat(answer(ADDRESS, PORT, "127.0.0.2")).isNull();
        assertThat(answer(ADDRESS, PORT, "127.0.0.3")).isEqualTo("hi");

        access.apply(endpoint, InstanceAccess.DEFAULT, null);
        assertThat(nftTables()).as("no restriction, no table").doesNotContain(NftablesRules.table(instanceId));
        assertThat(answer(ADDRESS, PORT, "127.0.0.2")).isEqualTo("hi");
        assertThat(answer(ADDRESS, PORT, "127.0.0.3")).isEqualTo("hi");
    }

    @Test
    void aPublicInstanceIsForwardedFromThePublicAddressAndFilteredThere() throws Exception {
        HostAccess access = new HostAccess(PUBLIC, HostAccess.PortRange.parse("16000-16999"));
        int port = 16000 + (int) (ProcessHandle.current().pid() % 1000);
        access.apply(endpoint, new InstanceAccess(true, List.of("127.0.0.2/32")), port);
        long pid = Long.parseLong(Files.readString(endpoint.instanceDir().resolve("forwarder.pid")).trim());
        assertThat(ProcessHandle.of(pid).flatMap(p -> p.info().user())).contains(user.name());
        assertThat(answer(PUBLIC, port, "127.0.0.2")).isEqualTo("hi");
        assertThat(answer(PUBLIC, port, "127.0.0.3")).isNull();
        assertThat(answer(ADDRESS, PORT, "127.0.0.3")).isNull();

        access.apply(endpoint, new InstanceAccess(true, List.of("127.0.0.2/32")), port);
        assertThat(Files.readString(endpoint.instanceDir().resolve("forwarder.pid")).trim())
                .as("a second apply adopts the running forwarder").isEqualTo(Long.toString(pid));

        access.apply(endpoint, new InstanceAccess(true, List.of()), port);
        assertThat(answer(PUBLIC, port, "127.0.0.3")).as("public to any source").isEqualTo("hi");

        access.apply(endpoint, new InstanceAccess(false, List.of()), null);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isIn(Optional.empty(), Optional.of(false));
        assertThat(answer(PUBLIC, port, "127.0.0.2")).as("no public path once private").isNull();
    }

    @Test
    void anIpv6PublicAddressIsFilteredByTheIpv6Networks() throws Exception {
        HostAccess access = new HostAccess("::1", HostAccess.PortRange.parse("16000-16999"));
        int port = 16000 + (int) ((ProcessHandle.current().pid() + 500) % 1000);
        access.apply(endpoint, new InstanceAccess(true, List.of("127.0.0.2/32", "::1/128")), port);
        assertThat(answer("::1", port, "::1")).isEqualTo("hi");
        access.apply(endpoint, new InstanceAccess(true, List.of("127.0.0.2/32", "2001:db8::/32")), port);
        assertThat(answer("::1", port, "::1")).isNull();
    }

    /** The stand-in server's answer over a connection from {@code source}, or null if the connection is refused. */
    private static String answer(String host, int port, String source) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
            s.connect(new InetSocketAddress(InetAddress.getByName(host), port), 3000);
            s.setSoTimeout(3000);
            InputStream in = s.getInputStream();
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? null : text;
        } catch (ConnectException e) {
            return null;
        }
    }

    static String nftTables() throws Exception {
        Process p = new ProcessBuilder("nft", "list", "tables").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
