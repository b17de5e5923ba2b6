package org.jtrove.taskmanager.tasks;

import java.util.List;
import org.jtrove.bus.GuestApi;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.ReplicationMode;
import org.jtrove.model.guest.Managers;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What belongs to a replica set as a whole rather than to one member, held on the row of its current source: its
 * replication mode (jtrove's {@code replication_mode}), put in force on the source's server, and its writer address
 * (one stable address for writes, forwarded by a host to the current source). Both are handed to the new source when
 * the source role moves ({@link #handOver}: promote, eject, and automatic failover).
 */
public final class ReplicaSets {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaSets.class);
    private final MetadataStore store;
    private final GuestApi guests;
    private final Placements placements;

    public ReplicaSets(MetadataStore store, GuestApi guests, Placements placements) {
        this.store = store;
        this.guests = guests;
        this.placements = placements;
    }

    /**
     * The source {@code to} takes over the set from {@code from} (which no longer is its source): the set's
     * replication mode and writer address move to it, and the writer address forwards to it from now on.
     * Idempotent. Call it once {@code to} takes writes, then {@link #putModeInForce} once its replicas follow it.
     */
    public void handOver(String from, String to) {
        store.instances.moveSetSettings(from, to);
        forwardWriterAgain(to);
    }

    /**
     * {@link #handOver} after the source was lost, often with its host, which may be the one forwarding the writer
     * address: the settings move in any case, and when that host does not answer the address is forwarded to the new
     * source once the old one rejoins ({@link #forwardWriterAgain}); until then the writer address is unavailable,
     * and the new source takes writes at its own address.
     */
    public void handOverFromLost(String from, String to) {
        store.instances.moveSetSettings(from, to);
        try {
            forwardWriterAgain(to);
        } catch (RuntimeException e) {
            LOG.warn("the writer address of the set of {} could not follow it yet ({}); it will when {} rejoins",
                    to, e.getMessage(), from);
        }
    }

    /** Forwards the set's writer address (if it has one) to its source {@code sourceId}, again. Idempotent. */
    public void forwardWriterAgain(String sourceId) {
        if (store.instances.writer(sourceId).isPresent()) {
            placements.forwardWriter(sourceId);
        }
    }

    /** The set whose source is {@code sourceId} gets its writer address, if it has none yet. Idempotent. */
    public void ensureWriter(String sourceId) {
        if (store.instances.writer(sourceId).isEmpty()) {
            placements.forwardWriter(sourceId);
        }
    }

    /**
     * Puts the set's replication mode in force on its source {@code sourceId}: in synchronous mode its commits wait
     * for one of its replicas that are built and up (and {@code joining}, one that just was; never {@code leaving},
     * one that goes, nor one being detached or deleted), so a replica that leaves no longer holds commits back. In asynchronous mode nothing is sent unless
     * {@code always} (the mode just changed): the source names no replica already. Only a PostgreSQL source waits.
     *
     * @throws RuntimeException when the source's guest agent does not answer (the task step retries)
     */
    public void putModeInForce(String sourceId, String joining, String leaving, boolean always) {
        InstanceRecord source = store.instances.find(sourceId).orElse(null);
        if (source == null || !Managers.hasSynchronousReplication(
                store.datastores.version(source.datastoreVersionId()).orElseThrow().manager())) {
            return;
        }
        boolean synchronous = ReplicationMode.ofStored(store.instances.replicationMode(sourceId))
                == ReplicationMode.SYNCHRONOUS;
        if (!synchronous && !always) {
            return;
        }
        List<String> standbys = !synchronous ? List.of() : store.instances.replicasOf(sourceId).stream()
                .filter(r -> !r.id().equals(leaving) && (r.id().equals(joining) || streams(r)))
                .map(InstanceRecord::id).toList();
        guests.setSynchronousStandbys(sourceId, standbys);
    }

    /**
     * A synchronous source stops waiting for {@code leaving}, a replica being detached or deleted. A source that does
     * not answer (it may be the very reason for the detach) is logged and left: its commits wait anyway while it is
     * down, and a later change of its replication_mode releases them.
     */
    public void releaseSource(String sourceId, String leaving) {
        if (sourceId == null || sourceId.isEmpty()) {
            return;
        }
        try {
            putModeInForce(sourceId, null, leaving, false);
        } catch (RuntimeException e) {
            LOG.warn("instance {}: its synchronous source {} may still wait for it ({}); change the source's"
                    + " replication_mode again to release it", leaving, sourceId, e.getMessage());
        }
    }

    /**
     * Whether a replica is one to wait for: built (or building and already up: past its HEALTHY step), not failed,
     * not leaving (being detached or deleted, which remove it from the list themselves).
     */
    private boolean streams(InstanceRecord r) {
        if (r.task().isError() || r.task() == InstanceTask.DELETING || r.task() == InstanceTask.DETACHING) {
            return false;
        }
        return r.task() != InstanceTask.BUILDING || store.serviceStatuses.find(r.id())
                .map(s -> s.serviceStatus().isUp()).orElse(false);
    }
}
