package org.jtrove.compute.local;

import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jtrove.bus.HostApi;
import org.jtrove.compute.ComputeDriver;
import org.jtrove.model.InstanceAccess;
import org.jtrove.model.JtroveException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code local} compute driver: instances are real server processes on guest-agent hosts, each host a
 * {@code jtrove guestagent} process (in the all-in-one server, part of the same JVM) that owns its machine's
 * directories, OS users, loopback addresses, access rules and template cache. The driver only chooses a host and
 * asks it over the bus ({@link HostApi}); it never touches a host's files itself.
 */
public final class LocalComputeDriver implements ComputeDriver {
    private static final Logger LOG = LoggerFactory.getLogger(LocalComputeDriver.class);
    private final HostApi hosts;
    private final Supplier<Map<String, Integer>> liveHosts;

    /** @param liveHosts the hosts that reported lately, each with the number of instances placed on it */
    public LocalComputeDriver(HostApi hosts, Supplier<Map<String, Integer>> liveHosts) {
        this.hosts = hosts;
        this.liveHosts = liveHosts;
    }

    @Override
    public Placement provision(InstanceSpec spec) {
        HostApi.Placed placed = hosts.bootAgent(spec.host(), new HostApi.BootRequest(spec.instanceId(), spec.build(),
                spec.memoryMb(), spec.volumeGb(), spec.access(), spec.transportUrl()));
        return new Placement(placed.host(), placed.address(), placed.publicPort());
    }

    /** The live host with the fewest instances, outside {@code avoidHosts} when one such host is alive. */
    @Override
    public String chooseHost(InstanceSpec spec) {
        Map<String, Integer> live = liveHosts.get();
        Comparator<Map.Entry<String, Integer>> fewest = Map.Entry.<String, Integer>comparingByValue()
                .thenComparing(Map.Entry.comparingByKey());
        Optional<String> apart = live.entrySet().stream().filter(e -> !spec.avoidHosts().contains(e.getKey()))
                .min(fewest).map(Map.Entry::getKey);
        String host = apart.or(() -> live.entrySet().stream().min(fewest).map(Map.Entry::getKey)).orElseThrow(
                () -> new JtroveException(503, "No guest-agent host is available to place instance " + spec.instanceId()
                        + ": start `jtrove guestagent` on a host (it reports itself to the conductor)."));
        LOG.info("instance {}: placed on host {}", spec.instanceId(), host);
        return host;
    }

    @Override
    public Integer updateAccess(String instanceId, String host, InstanceAccess access) {
        return hosts.updateAccess(host, instanceId, access);
    }

    @Override
    public String forwardWriter(String host, String key, String address, String target, int port) {
        return hosts.forwardWriter(host, new HostApi.WriterRequest(key, address, target, port));
    }

    @Override
    public void removeWriter(String host, String address) {
        hosts.removeWriter(host, address);
    }

    @Override
    public void destroy(String instanceId, String host) {
        hosts.destroyAgent(host, instanceId);
    }

    @Override
    public void close() {
        // nothing held: the hosts own their agents
    }
}
