package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.jtrove.server.InFlightOperations.Kind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The kill-point campaign of the all-in-one server: {@code jtrove server} runs as its own process and is killed with
 * SIGKILL 0, 20, 50, 150 and 400 ms after the answers to a create, a restore, two deletes, a flavor resize, a backup
 * and a configuration attach or detach, all in flight together ({@link InFlightOperations}, which also lists the
 * checks), on PostgreSQL and on MariaDB. After each kill it is started again on the same state. It prints a table
 * of kill points: tried / held / lost / orphans.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KillPointCampaignE2ETest {
    private static final int[] DELAYS_MS = {0, 20, 50, 150, 400};
    private final CampaignTable table = new CampaignTable("kill-point campaign (datastore, delay after the answers)");

    @AfterAll
    void printTable() {
        table.print();
    }

    @Test
    void postgresqlHoldsEveryKillPoint() throws Exception {
        campaign(InFlightOperations.POSTGRESQL);
    }

    @Test
    void mariadbHoldsEveryKillPoint() throws Exception {
        campaign(InFlightOperations.MARIADB);
    }

    private void campaign(Kind kind) throws Exception {
        Path state = TestServers.stateDir("killpoints-" + kind.type());
        int base = 150 + (int) (ProcessHandle.current().pid() % 40) + (kind.postgresql() ? 0 : 50);
        JtroveProcess jtrove = new JtroveProcess(state, base, Map.of()).start();
        int lost = 0;
        try (InFlightOperations operations = new InFlightOperations(kind, deployment(jtrove))) {
            operations.setUp();
            for (int delay : DELAYS_MS) {
                InFlightOperations.Round r = operations.round(() -> {
                    Thread.sleep(delay);
                    jtrove.kill();
                    jtrove.start();
                });
                lost += table.add(kind.type() + " +" + delay + " ms", r);
            }
        } finally {
            jtrove.stop();
        }
        assertThat(lost).as("operations lost or orphans left (the table follows the run):%n%s", table.problems()).isZero();
    }

    private static InFlightOperations.Deployment deployment(JtroveProcess jtrove) {
        return new InFlightOperations.Deployment() {
            @Override
            public ApiClient api(String project) {
                return new ApiClient(jtrove.port(), project);
            }

            @Override
            public List<Path> instanceDirectories() {
                return List.of(jtrove.state().resolve("instances"));
            }

            @Override
            public Path backupDirectory() {
                return jtrove.state().resolve("backups");
            }

            @Override
            public List<Path> logs() throws Exception {
                try (Stream<Path> logs = Files.list(jtrove.state().getParent())) {
                    return logs.filter(p -> p.getFileName().toString().startsWith("server-")).sorted().toList();
                }
            }

            @Override
            public List<String> leftovers(Set<String> live) {
                return new ArrayList<>();
            }
        };
    }
}
