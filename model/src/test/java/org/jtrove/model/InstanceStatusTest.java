package org.jtrove.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class InstanceStatusTest {

    // ---- public status: a task wins over the service status ------------------------------------------------

    @ParameterizedTest
    @CsvSource({
            "BUILDING, BUILD",
            "REBOOTING, REBOOT",
            "DELETING, SHUTDOWN",
            "BUILDING_ERROR_SERVER, ERROR",
            "BUILDING_ERROR_TIMEOUT_GA, ERROR",
            "REBOOTING_ERROR, ERROR",
            "DELETING_ERROR, ERROR",
            "UPDATING_ERROR_ACCESS, ERROR"})
    void runningOrFailedTaskDecidesWhateverTheServiceSays(InstanceTask task, String expected) {
        for (ServiceStatus service : ServiceStatus.values()) {
            assertThat(InstanceStatus.publicStatus(task, service, false))
                    .as("%s with service %s", task, service).isEqualTo(expected);
            assertThat(InstanceStatus.publicStatus(task, service, true))
                    .as("%s with service %s, heartbeat expired", task, service).isEqualTo(expected);
        }
    }

    @Test
    void everyErrorTaskIsPubliclyError() {
        for (InstanceTask task : InstanceTask.values()) {
            if (task.isError()) {
                assertThat(InstanceStatus.publicStatus(task, ServiceStatus.HEALTHY, false)).isEqualTo("ERROR");
            }
        }
        assertThat(EnumSet.allOf(InstanceTask.class).stream().filter(InstanceTask::isError))
                .containsExactlyInAnyOrder(InstanceTask.BUILDING_ERROR_SERVER, InstanceTask.BUILDING_ERROR_TIMEOUT_GA,
                        InstanceTask.REBOOTING_ERROR, InstanceTask.DELETING_ERROR, InstanceTask.UPDATING_ERROR_ACCESS,
                        InstanceTask.BUILDING_ERROR_REPLICA, InstanceTask.PROMOTION_ERROR, InstanceTask.EJECTION_ERROR,
                        InstanceTask.DETACHING_ERROR, InstanceTask.FAILOVER_ERROR, InstanceTask.REJOIN_ERROR);
    }

    @Test
    void anAccessUpdateShowsTheServiceStatusAsInTrove() {
        assertThat(InstanceStatus.publicStatus(InstanceTask.UPDATING, ServiceStatus.HEALTHY, false)).isEqualTo("ACTIVE");
        assertThat(InstanceStatus.publicStatus(InstanceTask.UPDATING, ServiceStatus.SHUTDOWN, false)).isEqualTo("SHUTDOWN");
        assertThat(InstanceStatus.operatingStatus(InstanceTask.UPDATING, ServiceStatus.HEALTHY, false)).isEmpty();
    }

    // ---- public status without a task: the service status decides -----------------------------------------

    @ParameterizedTest
    @CsvSource({
            "NEW, BUILD",
            "BUILDING, BUILD",
            "RUNNING, ACTIVE",
            "HEALTHY, ACTIVE",
            "SHUTDOWN, SHUTDOWN",
            "CRASHED, SHUTDOWN",
            "FAILED, ERROR",
            "UNKNOWN, ERROR",
            "FAILED_TIMEOUT_GUESTAGENT, ERROR"})
    void withoutTaskTheServiceStatusDecides(ServiceStatus service, String expected) {
        assertThat(InstanceStatus.publicStatus(InstanceTask.NONE, service, false)).isEqualTo(expected);
    }

    // ---- operating status ----------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = InstanceTask.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void operatingStatusIsEmptyWhileAnyTaskIsSet(InstanceTask task) {
        for (ServiceStatus service : ServiceStatus.values()) {
            assertThat(InstanceStatus.operatingStatus(task, service, false)).isEmpty();
            assertThat(InstanceStatus.operatingStatus(task, service, true)).isEmpty();
        }
    }

    @ParameterizedTest
    @CsvSource({
            "NEW, NEW",
            "BUILDING, BUILD",
            "RUNNING, ACTIVE",
            "HEALTHY, HEALTHY",
            "SHUTDOWN, SHUTDOWN",
            "CRASHED, SHUTDOWN",
            "FAILED, FAILED",
            "UNKNOWN, ERROR",
            "FAILED_TIMEOUT_GUESTAGENT, ERROR"})
    void withoutTaskOperatingStatusIsTheServiceApiValue(ServiceStatus service, String expected) {
        assertThat(InstanceStatus.operatingStatus(InstanceTask.NONE, service, false)).isEqualTo(expected);
    }

    @ParameterizedTest
    @EnumSource(ServiceStatus.class)
    void expiredHeartbeatMakesOperatingStatusError(ServiceStatus service) {
        assertThat(InstanceStatus.operatingStatus(InstanceTask.NONE, service, true)).isEqualTo("ERROR");
    }

    @Test
    void healthyInstanceIsActiveAndHealthy() {
        assertThat(InstanceStatus.publicStatus(InstanceTask.NONE, ServiceStatus.HEALTHY, false)).isEqualTo("ACTIVE");
        assertThat(InstanceStatus.operatingStatus(InstanceTask.NONE, ServiceStatus.HEALTHY, false)).isEqualTo("HEALTHY");
    }
}
