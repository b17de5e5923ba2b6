package org.jtrove.taskmanager.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.TreeMap;
import org.jtrove.bus.GuestApi;
import org.jtrove.model.guest.Managers;
import org.jtrove.model.guest.ReplicationSource;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;

/**
 * What the replica tasks share: readying a source for one replica (its replication user and slot, asked of the
 * source's guest agent each time, so the password only travels on the bus and is never stored by the
 * taskmanager), and making an instance follow a source.
 */
final class ReplicationSources {
    private final MetadataStore store;
    private final GuestApi guests;
    private final Placements placements;

    ReplicationSources(MetadataStore store, GuestApi guests, Placements placements) {
        this.store = store;
        this.guests = guests;
        this.placements = placements;
    }

    /** The live instance {@code id}, or an error naming it. */
    InstanceRecord instance(String id) {
        return store.instances.find(id).orElseThrow(() -> new IllegalStateException("instance " + id
                + " no longer exists"));
    }

    String manager(InstanceRecord i) {
        return store.datastores.version(i.datastoreVersionId()).orElseThrow().manager();
    }

    /**
     * Readies {@code sourceId} for {@code replicaId} (its host admits the replica's server whatever the source's
     * allowed_cidrs) and says how the replica reaches it.
     */
    ReplicationSource source(String sourceId, String replicaId) {
        InstanceRecord source = instance(sourceId);
        placements.admitReplica(sourceId, replicaId);
        JsonNode r = guests.prepareReplicationSource(sourceId, replicaId);
        return new ReplicationSource(source.address(), Managers.port(manager(source)), r.path("user").asText(),
                r.path("password").asText(), r.path("slot").isTextual() ? r.path("slot").asText() : null,
                settings(r.path("settings")));
    }

    private static Map<String, String> settings(JsonNode settings) {
        Map<String, String> out = new TreeMap<>();
        settings.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** {@code followerId} follows {@code sourceId} from now on (the source readied for it first). */
    void follow(String followerId, String sourceId) {
        guests.followSource(followerId, source(sourceId, followerId));
        store.instances.setReplicaOf(followerId, sourceId);
    }
}
