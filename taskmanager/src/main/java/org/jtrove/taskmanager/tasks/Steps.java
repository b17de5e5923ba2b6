package org.jtrove.taskmanager.tasks;

import java.util.Map;
import org.jtrove.model.TaskType;
import org.jtrove.taskmanager.engine.Step;

/** A task type's steps by name, checked against the names {@link TaskType} lists. */
final class Steps {
    private final Map<String, Step> byName;

    Steps(TaskType type, Map<String, Step> byName) {
        if (!byName.keySet().equals(java.util.Set.copyOf(type.steps()))) {
            throw new IllegalArgumentException(type + " needs steps " + type.steps() + ", not " + byName.keySet());
        }
        this.byName = Map.copyOf(byName);
    }

    Step get(String name) {
        Step s = byName.get(name);
        if (s == null) {
            throw new IllegalStateException("unknown step " + name);
        }
        return s;
    }
}
