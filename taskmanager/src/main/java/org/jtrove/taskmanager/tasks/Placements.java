package org.jtrove.taskmanager.tasks;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jtrove.bus.GuestChannels;
import org.jtrove.bus.MessageBus;
import org.jtrove.bus.Topics;
import org.jtrove.compute.ComputeDriver;
import org.jtrove.model.InstanceAccess;
import org.jtrove.store.DatastoreVersionRecord;
import org.jtrove.store.FlavorRecord;
import org.jtrove.model.guest.Managers;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.InstanceRepository;
import org.jtrove.store.MetadataStore;

/**
 * Where instances run, as the tasks see it: the compute driver does the work, and this records its answers
 * (host, address, public port, access) in the store. Each call is idempotent.
 */
public final class Placements {
    private final MetadataStore store;
    private final ComputeDriver compute;
    private final MessageBus bus;
    private final GuestChannels channels;

    public Placements(MetadataStore store, ComputeDriver compute, MessageBus bus, GuestChannels channels) {
        this.store = store;
        this.compute = compute;
        this.bus = bus;
        this.channels = channels;
    }

    /**
     * Places the instance (on the host it has, or on one the driver chooses and the store records first) with its
     * own bus credentials, its guest topic declared first so that nothing sent to the booting agent is lost, and
     * records where it went.
     */
    public void place(String instanceId) {
        place(instanceId, Set.of());
    }

    /** Like {@link #place(String)}, on a host other than {@code avoidHosts} when there is one (a replica's). */
    public void place(String instanceId, Set<String> avoidHosts) {
        InstanceRecord i = store.instances.find(instanceId)
                .orElseThrow(() -> new IllegalStateException("instance " + instanceId + " no longer exists"));
        DatastoreVersionRecord v = store.datastores.version(i.datastoreVersionId()).orElseThrow();
        int ram = store.flavors.find(i.flavorId()).map(FlavorRecord::ram).orElse(512);
        bus.declare(Topics.guest(instanceId));
        ComputeDriver.InstanceSpec spec = new ComputeDriver.InstanceSpec(instanceId, store.instances.computeHost(instanceId),
                v.build(), ram, i.volumeSize(), withReplicas(instanceId, store.instances.access(instanceId), null), null,
                avoidHosts);
        String host = spec.host();
        if (host == null) {
            host = compute.chooseHost(spec);
            store.instances.setPlacement(instanceId, host, null);   // recorded first: a delete knows where to look
        }
        ComputeDriver.Placement p = compute.provision(new ComputeDriver.InstanceSpec(instanceId, host, spec.build(),
                spec.memoryMb(), spec.volumeGb(), spec.access(), channels.transportUrlFor(instanceId), spec.avoidHosts()));
        store.instances.setPlacement(instanceId, p.host(), p.address());
        store.instances.setPublicPort(instanceId, p.publicPort());
    }

    /**
     * Puts {@code access} in force on the instance's host, admitting its replicas' servers too, then records it (and
     * its public port).
     */
    public void updateAccess(String instanceId, InstanceAccess access) {
        updateAccess(instanceId, access, null);
    }

    /**
     * Puts the instance's recorded access in force again, admitting the servers of its replicas and of
     * {@code newReplica} (one about to follow it), so that its replicas reach it whatever its allowed_cidrs.
     */
    public void admitReplica(String instanceId, String newReplica) {
        updateAccess(instanceId, store.instances.access(instanceId), newReplica);
    }

    private void updateAccess(String instanceId, InstanceAccess access, String newReplica) {
        String host = store.instances.computeHost(instanceId);
        if (host == null) {
            throw new IllegalStateException("instance " + instanceId + " is not placed on a host yet");
        }
        Integer port = compute.updateAccess(instanceId, host, withReplicas(instanceId, access, newReplica));
        store.instances.setAccess(instanceId, access.withReplicas(List.of()));
        store.instances.setPublicPort(instanceId, port);
    }

    /** {@code access} admitting the servers of the instance's replicas (and of {@code newReplica} unless null). */
    private InstanceAccess withReplicas(String instanceId, InstanceAccess access, String newReplica) {
        Set<String> ids = new TreeSet<>();
        store.instances.replicasOf(instanceId).forEach(r -> ids.add(r.id()));
        if (newReplica != null) {
            ids.add(newReplica);
        }
        return access.withReplicas(List.copyOf(ids));
    }

    /**
     * Forwards the writer address of the replica set whose source is {@code sourceId} to that source's address and
     * datastore port; a set without one gets one from its source's host (keyed by the source, so a repeat gets the
     * same), recorded on the source (none when the host cannot forward: no nftables). Idempotent.
     */
    public void forwardWriter(String sourceId) {
        InstanceRecord source = store.instances.find(sourceId)
                .orElseThrow(() -> new IllegalStateException("instance " + sourceId + " no longer exists"));
        if (source.address() == null) {
            throw new IllegalStateException("instance " + sourceId + " has no address yet");
        }
        int port = Managers.port(store.datastores.version(source.datastoreVersionId()).orElseThrow().manager());
        InstanceRepository.Writer writer = store.instances.writer(sourceId).orElse(null);
        String host = writer != null ? writer.host() : store.instances.computeHost(sourceId);
        String address = compute.forwardWriter(host, sourceId, writer == null ? null : writer.address(),
                source.address(), port);
        store.instances.setWriter(sourceId, address == null ? null : new InstanceRepository.Writer(address, host));
    }

    /** Stops forwarding the writer address held by {@code instanceId} (if any) and gives it back to its host. */
    public void removeWriter(String instanceId) {
        store.instances.writer(instanceId).ifPresent(w -> {
            compute.removeWriter(w.host(), w.address());
            store.instances.setWriter(instanceId, null);
        });
    }

    /** Removes the instance from its host (if it was placed), then its guest topic and bus credentials. */
    public void remove(String instanceId) {
        String host = store.instances.computeHost(instanceId);
        if (host != null) {
            compute.destroy(instanceId, host);
        }
        store.instances.setPublicPort(instanceId, null);
        bus.delete(Topics.guest(instanceId));
        channels.forget(instanceId);
    }
}
