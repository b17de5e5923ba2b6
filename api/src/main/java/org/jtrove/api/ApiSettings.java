package org.jtrove.api;

import java.time.Duration;

/**
 * What the api needs from configuration. {@code maxVolumeSizeGb} is Trove's max_accepted_volume_size;
 * {@code heartbeatExpiry} is agent_heartbeat_expiry.
 */
public record ApiSettings(String bindHost, int port, String region, int maxVolumeSizeGb, Duration heartbeatExpiry,
                          String defaultDatastore, long maxBodyBytes) {}
