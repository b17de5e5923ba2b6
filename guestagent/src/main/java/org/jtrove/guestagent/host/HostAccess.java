package org.jtrove.guestagent.host;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jtrove.model.Cidr;
import org.jtrove.model.InstanceAccess;

/**
 * Enforces an instance's access (Trove's {@code is_public} and {@code allowed_cidrs}) on this host, touching nothing
 * but the instance's own addresses: nftables rules in a table of the instance's own ({@link NftablesRules}) admit
 * only the allowed source networks on its loopback address and on its public port, and a public instance gets a
 * forwarder from the host's public address to it ({@link PublicForwarder}). jtrove's own connections (from the
 * instance's address, by jtrove's user) always pass. Everything here outlives jtrove and is re-applied idempotently
 * at the next start; no machine-wide setting changes.
 */
public final class HostAccess {
    /**
     * Where an instance listens ({@code address}, a literal, and the datastore's {@code port}), the directory that
     * keeps its forwarder's pid file, and the OS user its server and forwarder run as.
     */
    public record Endpoint(String instanceId, String address, int port, Path instanceDir, OsUser user) {}

    /** The public ports: {@code first} to {@code last}, inclusive. */
    public record PortRange(int first, int last) {
        public PortRange {
            if (first < 1024 || last > 65535 || first > last) {
                throw new IllegalArgumentException("public_ports must be a range FIRST-LAST within 1024-65535 (the"
                        + " forwarders run unprivileged), not " + first + "-" + last);
            }
        }

        /** Parses {@code FIRST-LAST}, such as {@code 16000-16999}. */
        public static PortRange parse(String text) {
            String[] parts = text.trim().split("-");
            if (parts.length != 2 || !parts[0].trim().matches("\\d{1,5}") || !parts[1].trim().matches("\\d{1,5}")) {
                throw new IllegalArgumentException("public_ports must look like 16000-16999, not '" + text + "'");
            }
            return new PortRange(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        }
    }

    private final InetAddress publicAddress;
    private final PortRange publicPorts;
    private final int controlUid;
    private final NftablesRules rules = new NftablesRules();
    private final PublicForwarder forwarder = new PublicForwarder();

    /**
     * {@code publicAddress}: the host's address that public instances are published on (an IPv4 or IPv6 literal),
     * or null for none; {@code publicPorts}: the ports handed out on it.
     */
    public HostAccess(String publicAddress, PortRange publicPorts) {
        this.publicAddress = publicAddress == null ? null : Cidr.literal(publicAddress);
        if (publicAddress != null && this.publicAddress == null) {
            throw new IllegalArgumentException("public_address must be an IPv4 or IPv6 address, not '" + publicAddress + "'");
        }
        if (this.publicAddress != null) {
            try (ServerSocket probe = new ServerSocket(0, 1, this.publicAddress)) {
                // an address of this host: forwarders can listen on it
            } catch (IOException e) {
                throw new IllegalArgumentException("public_address " + publicAddress + " is not an address of this host ("
                        + e.getMessage() + "); set it to one of the host's own addresses, or leave it empty.", e);
            }
        }
        this.publicPorts = publicPorts;
        this.controlUid = OsUser.currentUid();
    }

    /** The host's public address, or null when public instances cannot be published. */
    public InetAddress publicAddress() {
        return publicAddress;
    }

    public PortRange publicPorts() {
        return publicPorts;
    }

    /**
     * Puts {@code access} in force for the instance at {@code endpoint}; {@code publicPort} is its port on the public
     * address, or null when it is not published. The servers of the access's replicas (their instances' OS users,
     * where they exist on this machine) are admitted like jtrove itself, whatever the allowed networks. Idempotent. A public path never exists without its rules: a
     * forwarder that must go is stopped before the rules change, a new one is started after.
     */
    public void apply(Endpoint endpoint, InstanceAccess access, Integer publicPort) {
        List<String> command = publicPort == null ? null
                : PublicForwarder.command(publicAddress, publicPort, endpoint.address(), endpoint.port());
        forwarder.stopUnless(endpoint.instanceDir(), endpoint.user(), command);
        Set<Integer> replicaUids = new HashSet<>();
        if (!access.networks().isEmpty()) {
            access.replicas().forEach(r -> OsUser.uidOfInstance(r).ifPresent(replicaUids::add));
        }
        rules.apply(new NftablesRules.Target(endpoint.instanceId(), Cidr.literal(endpoint.address()), endpoint.port(),
                Set.copyOf(List.of(controlUid, endpoint.user().uid())), publicAddress, publicPort, access.networks(),
                Set.copyOf(replicaUids)));
        if (command != null) {
            forwarder.ensure(endpoint.instanceDir(), endpoint.user(), command, publicAddress, publicPort);
        }
    }

    /** Removes what {@link #apply} made for the instance: its forwarder, then its rules. Safe to call again. */
    public void remove(String instanceId, Path instanceDir, OsUser user) {
        forwarder.stop(instanceDir, user);
        rules.remove(instanceId);
    }
}
