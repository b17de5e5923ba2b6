package org.jtrove.taskmanager.tasks;

import java.util.HashMap;
import java.util.Map;
import org.jtrove.bus.GuestApi;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.TaskType;
import org.jtrove.store.MetadataStore;
import org.jtrove.taskmanager.engine.Step;
import org.jtrove.taskmanager.engine.StepContext;
import org.jtrove.taskmanager.engine.StepResult;

/**
 * Trove's eject_replica_source, run on a source that is gone: the {@link SourceElection} (CANDIDATE_CHOSEN,
 * PROMOTED, WRITER_MOVED, OTHERS_REPOINTED, STANDBYS_UPDATED), then EJECTION_RECORDED. The old source is left out of
 * the set, a standalone instance.
 */
public final class EjectReplicaSource extends ReplicaTask {

    public EjectReplicaSource(MetadataStore store, Placements placements, GuestApi guests, ReplicaSets sets) {
        super(store, TaskType.EJECT_REPLICA_SOURCE, InstanceTask.EJECTING, InstanceTask.EJECTION_ERROR, "Ejection");
        Map<String, Step> steps = new HashMap<>(new SourceElection(store, guests, placements, sets)
                .steps(StepContext::instanceId));
        steps.put("EJECTION_RECORDED", ctx -> StepResult.done());
        steps(steps);
    }
}
