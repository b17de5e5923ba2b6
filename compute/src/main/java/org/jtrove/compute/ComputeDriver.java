package org.jtrove.compute;

import org.jtrove.model.InstanceAccess;

/**
 * Gives instances a place to run: an address, a volume, and a running guest agent. Implementations: {@code local}
 * (server processes on this host); later Kubernetes.
 */
public interface ComputeDriver extends AutoCloseable {
    /**
     * Allocates the instance's place, puts its recorded access in force (before its server can take connections),
     * and boots its guest agent. Safe to call again for the same instance.
     */
    Placement provision(String instanceId);

    /**
     * Puts {@code access} in force for a provisioned instance and then records it as the instance's access. Safe to
     * call again. Throws if it cannot; the message says whether the previous access is still in force.
     */
    void updateAccess(String instanceId, InstanceAccess access);

    /** Re-attaches guest agents to every live instance after a restart of the control plane. */
    void recover();

    /** Stops the guest agent, removes the instance's data and access rules, frees its addresses. Safe to call again. */
    void destroy(String instanceId);

    @Override
    void close();

    record Placement(String address) {}
}
