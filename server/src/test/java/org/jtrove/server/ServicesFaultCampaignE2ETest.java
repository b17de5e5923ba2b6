package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The fault campaign of the deployed shape ({@link ServiceTopology}: two API services, two taskmanagers, a conductor
 * and a guest-agent host over a real RabbitMQ, metadata on a real MariaDB). With a create, a restore, a resize, a
 * backup, a configuration change and deletes in flight ({@link InFlightOperations}, which lists the checks), each
 * service is killed with SIGKILL 0, 300 and 1,500 ms after the answers and started again: the API that answered,
 * a taskmanager (started again only after the round settled, so that the other one must take over its leased
 * tasks), the conductor and the guest-agent host. Then the broker is killed and started again, and the metadata
 * MariaDB likewise, each in the middle of the operations. Beyond the in-flight checks, no broker user or queue of a
 * deleted instance may remain. It prints a table of faults: tried / held / lost / orphans.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServicesFaultCampaignE2ETest {
    private static final int[] DELAYS_MS = {0, 300, 1500};
    private final CampaignTable table = new CampaignTable("services fault campaign (fault, delay after the answers)");
    private ServiceTopology topology;

    @BeforeAll
    void start() throws Exception {
        int base = 100 + (int) (ProcessHandle.current().pid() % 50) + 50;
        topology = ServiceTopology.start(2, 2, Map.of("host-a", base), Map.of("DEFAULT/task_lease", "4"));
    }

    @AfterAll
    void stop() throws Exception {
        table.print();
        if (topology != null) {
            topology.close();
        }
    }

    @Test
    void noServiceFaultLosesAnOperation() throws Exception {
        int lost = 0;
        try (InFlightOperations operations = new InFlightOperations(InFlightOperations.POSTGRESQL, deployment())) {
            operations.setUp();
            int round = 0;
            for (String service : List.of("api-1", "taskmanager", "conductor", "guestagent-host-a")) {
                for (int delay : DELAYS_MS) {
                    String victim = service.equals("taskmanager") ? "taskmanager-" + (1 + round % 2) : service;
                    lost += table.add("kill -9 " + victim + " +" + delay + " ms", operations.round(kill(victim, delay)));
                    round++;
                }
            }
            lost += table.add("RabbitMQ killed, restarted", operations.round(new InFlightOperations.Fault() {
                @Override
                public void inject() throws Exception {
                    Thread.sleep(300);
                    topology.broker.kill();
                    Thread.sleep(2000);
                    topology.broker.restart();
                }
            }));
            lost += table.add("metadata MariaDB killed, restarted", operations.round(new InFlightOperations.Fault() {
                @Override
                public void inject() throws Exception {
                    Thread.sleep(300);
                    topology.metadata.kill();
                    Thread.sleep(3000);
                    topology.metadata.restart();
                }
            }));
        }
        assertThat(lost).as("operations lost or orphans left (the table follows the run):%n%s", table.problems()).isZero();
    }

    /**
     * SIGKILL of {@code name} {@code delayMs} after the answers; it starts again at once, except a taskmanager, which
     * starts again only after the round's checks.
     */
    private InFlightOperations.Fault kill(String name, int delayMs) {
        JtroveProcess victim = topology.service(name);
        boolean later = name.startsWith("taskmanager");
        return new InFlightOperations.Fault() {
            @Override
            public void inject() throws Exception {
                Thread.sleep(delayMs);
                victim.kill();
                if (!later) {
                    victim.start();
                }
            }

            @Override
            public void recover() throws Exception {
                if (later) {
                    victim.start();
                }
            }
        };
    }

    private InFlightOperations.Deployment deployment() {
        return new InFlightOperations.Deployment() {
            @Override
            public ApiClient api(String project) {
                return topology.api(topology.service("api-1").running() ? 1 : 2, project);
            }

            @Override
            public List<Path> instanceDirectories() {
                return topology.hosts().stream().map(h -> topology.stateOf("guestagent-" + h).resolve("instances"))
                        .toList();
            }

            @Override
            public Path backupDirectory() {
                return topology.root.resolve("backups");
            }

            @Override
            public List<Path> logs() throws Exception {
                try (Stream<Path> logs = Files.list(topology.root)) {
                    return logs.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
                }
            }

            @Override
            public List<String> leftovers(Set<String> live) {
                List<String> left = new ArrayList<>();
                topology.broker.users().stream().filter(u -> u.startsWith("guestagent."))
                        .filter(u -> !live.contains(u.substring("guestagent.".length())))
                        .forEach(u -> left.add("broker user " + u));
                topology.broker.queues().stream().filter(q -> q.startsWith("guestagent."))
                        .filter(q -> !live.contains(q.substring("guestagent.".length())))
                        .forEach(q -> left.add("broker queue " + q));
                return left;
            }
        };
    }
}
