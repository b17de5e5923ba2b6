package org.jtrove.api;

import java.time.Duration;

/**
 * What the api needs from configuration. {@code maxVolumeSizeGb} is Trove's max_accepted_volume_size;
 * {@code heartbeatExpiry} is agent_heartbeat_expiry; {@code publicEndpoint} (may be null) is the base URL put in
 * links and the service catalog instead of the request's own; {@code publicAddress} (may be null) is the host address
 * public instances are published on.
 */
public record ApiSettings(String bindHost, int port, String region, int maxVolumeSizeGb, Duration heartbeatExpiry,
                          String defaultDatastore, long maxBodyBytes, String publicEndpoint,
                          java.util.Map<String, Integer> defaultQuotas, int rateLimitPerMinute, int pageSize,
                          String tlsCertFile, String tlsKeyFile, String publicAddress) {
    public boolean tls() {
        return tlsCertFile != null && tlsKeyFile != null;
    }
}
