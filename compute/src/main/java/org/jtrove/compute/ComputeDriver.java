package org.jtrove.compute;

import java.util.Set;
import org.jtrove.model.InstanceAccess;
import org.jtrove.model.guest.ServerBuild;

/**
 * Gives instances a place to run: a host, an address, a volume, access rules, and a running guest agent.
 * Implementations: {@code local} (server processes on guest-agent hosts); later Kubernetes. Every call is
 * idempotent, so a task that is taken over may repeat it.
 */
public interface ComputeDriver extends AutoCloseable {
    /**
     * What to place: the instance, its host ({@code host}; null before one is chosen), its build, size and access,
     * the broker URL with its agent's own credentials (null: the host's own bus), and hosts to keep away from.
     */
    record InstanceSpec(String instanceId, String host, ServerBuild build, int memoryMb, int volumeGb,
                        InstanceAccess access, String transportUrl, Set<String> avoidHosts) {
        public InstanceSpec {
            avoidHosts = avoidHosts == null ? Set.of() : Set.copyOf(avoidHosts);
        }

        @Override
        public String toString() {
            return "InstanceSpec[" + instanceId + " on " + host + "]";
        }
    }

    /** Where an instance is: its host, its address there, and its port on the host's public address (or null). */
    record Placement(String host, String address, Integer publicPort) {}

    /**
     * The host a new instance goes to (the caller records it before {@link #provision}, so a delete always knows
     * where to look): never one of {@code avoidHosts} when another is available.
     *
     * @throws org.jtrove.model.JtroveException 503 when no host is available (worth a retry)
     */
    String chooseHost(InstanceSpec spec);

    /**
     * Places the instance on {@code spec.host()}, puts its access in force (before its server can take
     * connections) and boots its guest agent, which listens on the instance's topic once this returns.
     */
    Placement provision(InstanceSpec spec);

    /** Puts {@code access} in force for a placed instance; returns its public port (null: not published). */
    Integer updateAccess(String instanceId, String host, InstanceAccess access);

    /**
     * Forwards a replica set's writer address on {@code host} to {@code target}:{@code port} (its source's address and
     * port); with {@code address} null, allocates one there for {@code key} (a repeat gets the same). Returns it.
     */
    String forwardWriter(String host, String key, String address, String target, int port);

    /** Stops forwarding the writer address {@code address} on {@code host}, which may give it out again. */
    void removeWriter(String host, String address);

    /** Stops the guest agent and the server, removes the instance's data, OS user and access rules. */
    void destroy(String instanceId, String host);

    @Override
    void close();
}
