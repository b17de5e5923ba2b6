package org.jtrove.server.config;

import java.time.Duration;

/** The guest agents of this host and the local compute driver's servers. */
public record GuestAgentConfig(
        @Key(name = "report_interval", value = "2", description = "Seconds between two heartbeats of a guest agent.",
                legacy = "heartbeat_interval_seconds")
        Duration heartbeatInterval,
        @Key(name = "address_base", value = "10", description = "Instances get loopback addresses 127.<base>.y.z.",
                legacy = "address_base")
        int addressBase,
        @Key(name = "database_os_user", value = "jtrove-db", description = "Unprivileged OS user that initialises"
                + " the template data directories (each instance runs as its own user).", legacy = "database_os_user")
        String databaseOsUser,
        @Key(name = "spare_data_dirs", value = "2", description = "Ready copies of each build's initialised data"
                + " directory, so a create only renames one.", legacy = "spare_data_dirs")
        int spareDataDirs) {}
