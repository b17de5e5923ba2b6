package org.jtrove.guestagent.host;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jtrove.model.Cidr;

/**
 * The nftables half of instance access: one table per instance ({@code inet jtrove_<instance id>}) holding only
 * rules about that instance's own address and public port, so nothing else on the host is touched and deleting
 * the table undoes everything. Only connection attempts (TCP SYN without ACK) are checked; open connections and
 * replies pass. A refused connection gets a TCP reset, which clients report as "connection refused".
 * <ul>
 *   <li>hook {@code output} (every connection to a loopback address starts on this host): a connection to the
 *       instance's address and port is admitted from an allowed network, or from the instance's own address by a
 *       socket of a trusted user (jtrove itself; the instance's user, whose public forwarder connects from there), or
 *       from any address by a socket of the user of one of the instance's replicas (its server replicates from
 *       this one, connecting from the host's default loopback address).
 *   <li>hook {@code input}: a connection to the public address and port is admitted only from an allowed network.
 * </ul>
 * A table is replaced in one {@code nft -f} transaction, so either the new rules or the old ones are in force.
 */
final class NftablesRules {
    /**
     * One instance's rules: where it listens, who is trusted, its public port (or null), the allowed networks, the
     * users of its replicas' servers.
     */
    record Target(String instanceId, InetAddress address, int port, Set<Integer> trustedUids, InetAddress publicAddress,
                  Integer publicPort, List<Cidr> allowed, Set<Integer> replicaUids) {}

    /** The table of an instance; ids are UUIDs, so the name holds only letters, digits and underscores. */
    static String table(String instanceId) {
        if (!instanceId.matches("[0-9A-Fa-f-]{1,64}")) {
            throw new IllegalArgumentException("not an instance id: " + instanceId);
        }
        return "jtrove_" + instanceId.replace("-", "").toLowerCase(Locale.ROOT);
    }

    /** Puts the target's rules in force; with no allowed networks nothing is restricted, so its table goes. */
    void apply(Target target) {
        if (target.allowed().isEmpty()) {
            remove(target.instanceId());
            return;
        }
        if (!usable()) {
            throw new IllegalStateException("allowed_cidrs is enforced with nftables, which needs jtrove to run as root"
                    + " with the nftables package installed (bin/install-deps installs it). Install it, or leave"
                    + " allowed_cidrs empty.");
        }
        run(script(target), "the access rules of instance " + target.instanceId());
    }

    /**
     * Forwards connections to a replica set's writer address and {@code port} to its source's {@code target} address
     * (same port), in a table of its own ({@code ip jtrove_writer_<address>}): a DNAT in hook {@code output} before
     * any filter, so the source's own rules (its allowed_cidrs) then judge each connection as if made to it.
     */
    void forwardWriter(InetAddress writer, InetAddress target, int port) {
        if (!usable()) {
            throw new IllegalStateException("a writer address is forwarded with nftables, which needs jtrove to run as"
                    + " root with the nftables package installed (bin/install-deps installs it)");
        }
        run(writerScript(writer, target, port), "the forwarding of writer address " + writer.getHostAddress());
    }

    /** Deletes a writer address's table; nothing happens if there is none. */
    void removeWriter(InetAddress writer) {
        if (usable()) {
            String table = "ip " + writerTable(writer);
            run("table " + table + "\ndelete table " + table + "\n", "the forwarding of writer address "
                    + writer.getHostAddress());
        }
    }

    /** The writer address's table transaction for {@code nft -f}, as {@link #script}. */
    static String writerScript(InetAddress writer, InetAddress target, int port) {
        String table = "ip " + writerTable(writer);
        return "table " + table + "\ndelete table " + table + "\ntable " + table + " {\n"
                + "\tcomment \"jtrove: a replica set's writer address, forwarded to its source\"\n"
                + "\tchain writer {\n\t\ttype nat hook output priority -100; policy accept;\n"
                + "\t\tip daddr " + writer.getHostAddress() + " tcp dport " + port + " dnat to "
                + target.getHostAddress() + ":" + port + "\n\t}\n}\n";
    }

    private static String writerTable(InetAddress writer) {
        if (!(writer instanceof Inet4Address)) {
            throw new IllegalArgumentException("a writer address is an IPv4 loopback address, not " + writer);
        }
        return "jtrove_writer_" + writer.getHostAddress().replace('.', '_');
    }

    /** Deletes the instance's table; nothing happens if there is none. */
    void remove(String instanceId) {
        if (usable()) {
            String table = "inet " + table(instanceId);
            run("table " + table + "\ndelete table " + table + "\n", "the access rules of instance " + instanceId);
        }
    }

    /** The whole transaction for {@code nft -f}: create (so that delete cannot fail), delete, create anew. */
    static String script(Target t) {
        String table = "inet " + table(t.instanceId());
        StringBuilder s = new StringBuilder();
        s.append("table ").append(table).append('\n').append("delete table ").append(table).append('\n');
        s.append("table ").append(table).append(" {\n");
        s.append("\tcomment \"jtrove: who may connect to instance ").append(t.instanceId()).append("\"\n");
        set(s, "allowed4", "ipv4_addr", t.allowed().stream().filter(c -> !c.isIpv6()).toList());
        set(s, "allowed6", "ipv6_addr", t.allowed().stream().filter(Cidr::isIpv6).toList());
        String family = family(t.address());
        String address = t.address().getHostAddress();
        s.append("\tchain loopback {\n\t\ttype filter hook output priority filter; policy accept;\n")
                .append("\t\t").append(family).append(" daddr ").append(address).append(" tcp dport ").append(t.port())
                .append(" tcp flags & (syn | ack) == syn jump admit\n\t}\n");
        s.append("\tchain admit {\n")
                .append("\t\t").append(family).append(" saddr ").append(address).append(" meta skuid { ")
                .append(t.trustedUids().stream().sorted().map(String::valueOf).collect(Collectors.joining(", ")))
                .append(" } accept\n");
        if (!t.replicaUids().isEmpty()) {
            s.append("\t\tmeta skuid { ").append(t.replicaUids().stream().sorted().map(String::valueOf)
                    .collect(Collectors.joining(", "))).append(" } accept\n");
        }
        s.append("\t\t").append(family).append(" saddr @").append(setName(t.address())).append(" accept\n")
                .append("\t\treject with tcp reset\n\t}\n");
        if (t.publicPort() != null) {
            String publicFamily = family(t.publicAddress());
            s.append("\tchain public {\n\t\ttype filter hook input priority filter; policy accept;\n")
                    .append("\t\t").append(publicFamily).append(" daddr ").append(t.publicAddress().getHostAddress())
                    .append(" tcp dport ").append(t.publicPort()).append(" tcp flags & (syn | ack) == syn ")
                    .append(publicFamily).append(" saddr != @").append(setName(t.publicAddress()))
                    .append(" reject with tcp reset\n\t}\n");
        }
        return s.append("}\n").toString();
    }

    private static void set(StringBuilder s, String name, String type, List<Cidr> networks) {
        s.append("\tset ").append(name).append(" {\n\t\ttype ").append(type).append("\n\t\tflags interval\n\t\tauto-merge\n");
        if (!networks.isEmpty()) {
            s.append("\t\telements = { ").append(networks.stream().map(Cidr::canonical).distinct().sorted()
                    .collect(Collectors.joining(", ")))
                    .append(" }\n");
        }
        s.append("\t}\n");
    }

    private static String family(InetAddress a) {
        return a instanceof Inet6Address ? "ip6" : "ip";
    }

    private static String setName(InetAddress a) {
        return a instanceof Inet6Address ? "allowed6" : "allowed4";
    }

    /** nftables needs root (CAP_NET_ADMIN) and the nft program. */
    static boolean usable() {
        return OsUser.currentUid() == 0 && nft() != null;
    }

    private static String nft() {
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
            if (Files.isExecutable(Path.of(dir, "nft"))) {
                return dir + "/nft";
            }
        }
        return null;
    }

    /** Runs {@code script} with {@code nft -f}; {@code what} names what it sets, for errors. */
    private static void run(String script, String what) {
        try {
            Process p = new ProcessBuilder(nft(), "-f", "-").redirectErrorStream(true).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(script.getBytes(StandardCharsets.UTF_8));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("nft did not finish within 30 s setting " + what);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("nftables refused " + what + " (nft exit " + p.exitValue() + "): " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run nft for " + what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted setting " + what, e);
        }
    }
}
