package org.jtrove.server.config;

import java.time.Duration;

/** Deadlines and leases of the taskmanager's tasks. */
public record TaskmanagerConfig(
        @Key(name = "usage_timeout", value = "300", description = "Seconds a create may take to become ACTIVE before"
                + " it ends in ERROR with a reason.", legacy = "build_timeout_seconds")
        Duration buildTimeout,
        @Key(name = "backup_timeout", value = "3600", description = "Seconds a backup may take before it is"
                + " cancelled and FAILED.", legacy = "backup_timeout_seconds")
        Duration backupTimeout,
        @Key(name = "task_lease", value = "20", description = "Seconds a taskmanager holds a task without renewing"
                + " its lease; another one takes over a task whose lease expired.")
        Duration taskLease,
        @Key(name = "backup_schedule_interval", value = "10", description = "Seconds between two looks for due backup"
                + " schedules (and their retention and the archived logs they no longer need); a run starts at most"
                + " this late.")
        Duration backupScheduleInterval) {}
