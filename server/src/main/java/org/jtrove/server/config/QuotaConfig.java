package org.jtrove.server.config;

import java.util.Map;

/** Default per-project quotas (Trove's keys; admins override them per project with PUT /mgmt/quotas). */
public record QuotaConfig(
        @Key(name = "max_instances_per_tenant", value = "10", description = "Instances per project (-1: unlimited).",
                legacy = "quota_instances")
        int instances,
        @Key(name = "max_volumes_per_tenant", value = "40", description = "GB of volume per project (-1: unlimited).",
                legacy = "quota_volumes")
        int volumes,
        @Key(name = "max_backups_per_tenant", value = "50", description = "Backups per project (-1: unlimited).",
                legacy = "quota_backups")
        int backups,
        @Key(name = "max_ram_per_tenant", value = "-1", description = "MB of flavor RAM per project (-1: unlimited).",
                legacy = "quota_ram")
        int ram) {

    /** Resource name -> default limit, as the API's quota checks take them. */
    public Map<String, Integer> asMap() {
        return Map.of("instances", instances, "volumes", volumes, "backups", backups, "ram", ram);
    }
}
