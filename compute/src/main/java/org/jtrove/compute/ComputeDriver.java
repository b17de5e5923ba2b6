package org.jtrove.compute;

/**
 * Gives instances a place to run: an address, a volume, and a running guest agent. Implementations: {@code local}
 * (server processes on this host); later Kubernetes.
 */
public interface ComputeDriver extends AutoCloseable {
    /** Allocates the instance's place and boots its guest agent. Safe to call again for the same instance. */
    Placement provision(String instanceId);

    /** Re-attaches guest agents to every live instance after a restart of the control plane. */
    void recover();

    /** Stops the guest agent, removes the instance's data and frees its address. Safe to call again. */
    void destroy(String instanceId);

    @Override
    void close();

    record Placement(String address) {}
}
