package org.jtrove.server.config;

import java.time.Duration;

/** The REST API: where it listens, TLS, limits and what it shows (trove-api's keys where Trove has them). */
public record ApiConfig(
        @Key(name = "bind_host", value = "0.0.0.0", description = "Address the API listens on.", legacy = "bind_host")
        String bindHost,
        @Key(name = "bind_port", value = "8779", description = "Port the API listens on (0: any free port).",
                legacy = "port")
        int bindPort,
        @Key(name = "public_endpoint", description = "Base URL put in the service catalog and in openrc (default:"
                + " the request's own URL).", legacy = "public_endpoint")
        String publicEndpoint,
        @Key(section = "ssl", name = "cert_file", description = "PEM certificate chain; with key_file the API speaks"
                + " HTTPS only.", legacy = "tls_cert_file")
        String tlsCertFile,
        @Key(section = "ssl", name = "key_file", description = "PKCS#8 PEM private key of cert_file.",
                legacy = "tls_key_file")
        String tlsKeyFile,
        @Key(name = "os_region_name", value = "RegionOne", description = "Region shown on instances and in the"
                + " service catalog.", legacy = "region")
        String region,
        @Key(name = "default_datastore", value = "postgresql", description = "Datastore of a create that names none.",
                legacy = "default_datastore")
        String defaultDatastore,
        @Key(name = "max_accepted_volume_size", value = "10", description = "Largest volume in GB a create or"
                + " resize may ask for; larger requests get 413.", legacy = "max_volume_size_gb")
        int maxVolumeSizeGb,
        @Key(name = "agent_heartbeat_expiry", value = "30", description = "Seconds after which a silent guest agent"
                + " is shown with operating_status ERROR.", legacy = "heartbeat_expiry_seconds")
        Duration heartbeatExpiry,
        @Key(name = "page_size", value = "20", description = "Largest page of a list (limit, marker, next link).",
                legacy = "page_size")
        int pageSize,
        @Key(name = "rate_limit_per_minute", value = "200", description = "Requests per project, verb and minute"
                + " (0: off); more get 413 with Retry-After.", legacy = "rate_limit_per_minute")
        int rateLimitPerMinute,
        @Key(section = "oslo_middleware", name = "max_request_body_size", value = "1048576",
                description = "Largest request body in bytes; larger ones get 413.", legacy = "max_body_bytes")
        long maxBodyBytes) {

    public boolean tls() {
        return tlsCertFile != null;
    }
}
