package org.jtrove.server.config;

import java.time.Duration;

/** Deadlines and leases of the taskmanager's tasks, and when automatic failover acts. */
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
        Duration backupScheduleInterval,
        @Key(name = "failover_window", value = "5", description = "Seconds a replica source (with auto_failover on)"
                + " must be confirmed down, every direct probe of its server failing, before its most advanced"
                + " replica takes over.")
        Duration failoverWindow,
        @Key(name = "failover_probe_interval", value = "1", description = "Seconds between two looks at the replica"
                + " sources; a source whose guest agent reports its server down, or has not reported for three"
                + " intervals, has its server probed directly (TCP connect and protocol handshake).")
        Duration failoverProbeInterval) {}
