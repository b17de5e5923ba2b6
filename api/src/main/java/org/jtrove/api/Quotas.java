package org.jtrove.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jtrove.model.JtroveException;
import org.jtrove.store.MetadataStore;
import org.jtrove.store.QuotaRepository;

/** Effective quota limits of a project (configured defaults, then admin overrides) and the check at create. */
final class Quotas {
    private final MetadataStore store;
    private final Map<String, Integer> defaults;

    Quotas(MetadataStore store, Map<String, Integer> defaults) {
        this.store = store;
        this.defaults = defaults;
    }

    Map<String, Integer> limits(String projectId) {
        Map<String, Integer> limits = new LinkedHashMap<>();
        for (String r : QuotaRepository.RESOURCES) {
            limits.put(r, defaults.getOrDefault(r, -1));
        }
        limits.putAll(store.quotas.overrides(projectId));
        return limits;
    }

    /** Throws Trove's 413 "Quota exceeded for resources: [...]" when {@code wanted} does not fit. */
    void check(String projectId, Map<String, Integer> usage, Map<String, Integer> wanted) {
        Map<String, Integer> limits = limits(projectId);
        List<String> over = new ArrayList<>();
        wanted.forEach((resource, amount) -> {
            int limit = limits.getOrDefault(resource, -1);
            if (limit >= 0 && usage.getOrDefault(resource, 0) + amount > limit) {
                over.add("'" + resource + "'");
            }
        });
        if (!over.isEmpty()) {
            throw JtroveException.overLimit("Quota exceeded for resources: " + over + ".");
        }
    }
}
