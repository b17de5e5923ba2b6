package org.jtrove.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ServiceStatusTest {

    @ParameterizedTest
    @CsvSource({
            "new, NEW",
            "building, BUILDING",
            "running, RUNNING",
            "healthy, HEALTHY",
            "shutdown, SHUTDOWN",
            "crashed, CRASHED",
            "failed to spawn, FAILED",
            "unknown, UNKNOWN",
            "guestagent error, FAILED_TIMEOUT_GUESTAGENT"})
    void fromTroveDescription(String description, ServiceStatus expected) {
        assertThat(ServiceStatus.fromDescription(description)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"HEALTHY, HEALTHY", "Healthy, HEALTHY", "Failed To Spawn, FAILED", "SHUTDOWN, SHUTDOWN"})
    void descriptionsAreCaseInsensitive(String description, ServiceStatus expected) {
        assertThat(ServiceStatus.fromDescription(description)).isEqualTo(expected);
    }

    @ParameterizedTest
    @EnumSource(ServiceStatus.class)
    void enumNamesAndOwnDescriptionsRoundTrip(ServiceStatus status) {
        assertThat(ServiceStatus.fromDescription(status.name())).isEqualTo(status);
        assertThat(ServiceStatus.fromDescription(status.name().toLowerCase())).isEqualTo(status);
        assertThat(ServiceStatus.fromDescription(status.description())).isEqualTo(status);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"bogus", "heal thy", "active", " healthy", "spawn"})
    void anythingElseIsUnknown(String description) {
        assertThat(ServiceStatus.fromDescription(description)).isEqualTo(ServiceStatus.UNKNOWN);
    }

    @Test
    void onlyRunningAndHealthyAreUp() {
        for (ServiceStatus s : ServiceStatus.values()) {
            assertThat(s.isUp()).as(s.name()).isEqualTo(s == ServiceStatus.RUNNING || s == ServiceStatus.HEALTHY);
        }
    }
}
