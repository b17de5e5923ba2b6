package org.jtrove.model.guest;

import org.jtrove.model.InstanceAccess;

/**
 * What a guest agent is built from: its instance, the server build it runs, where (the address its host gave it),
 * how big (memory in MB, volume in GB), who may connect ({@code access}, and {@code publicPort} on the host's public
 * address when it is published), and the bus it talks on ({@code transportUrl}: the broker URL with the agent's own
 * credentials; null on the host's in-process bus). The host keeps it as the agent's boot file (root only, 0600), so
 * a restarted host builds the same agent again, as Trove injects guest_info.conf into a guest.
 */
public record AgentBoot(String instanceId, ServerBuild build, String address, int memoryMb, int volumeGb,
                        InstanceAccess access, Integer publicPort, String transportUrl) {
    public AgentBoot {
        access = access == null ? InstanceAccess.DEFAULT : access;
    }

    public AgentBoot withMemory(int mb) {
        return new AgentBoot(instanceId, build, address, mb, volumeGb, access, publicPort, transportUrl);
    }

    public AgentBoot withAccess(InstanceAccess newAccess, Integer newPublicPort) {
        return new AgentBoot(instanceId, build, address, memoryMb, volumeGb, newAccess, newPublicPort, transportUrl);
    }

    /** Keeps the credentials out of logs. */
    @Override
    public String toString() {
        return "AgentBoot[" + instanceId + " " + build.manager() + " " + build.version() + " at " + address + ", "
                + memoryMb + " MB]";
    }
}
