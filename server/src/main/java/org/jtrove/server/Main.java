package org.jtrove.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code jtrove} command: {@code server} runs everything in one process; {@code api}, {@code taskmanager},
 * {@code conductor} and {@code guestagent} run one service each; {@code manage} is the operator's tool.
 */
@Command(name = "jtrove", mixinStandardHelpOptions = true, version = "jtrove 0.1.0",
        description = "Database-as-a-Service compatible with the OpenStack Trove v1.0 API.",
        subcommands = {Main.Server.class, ServiceCommands.Api.class, ServiceCommands.Taskmanager.class,
                ServiceCommands.Conductor.class, ServiceCommands.GuestAgent.class, ManageCommand.class,
                ConfigKeysCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    /** Options every command shares: where the configuration and the state live. */
    static final class Common {
        @Option(names = "--config-file", description = "INI configuration file; repeatable, later files win"
                + " (default: the file JTROVE_CONFIG names, if any)")
        List<Path> configFiles = new ArrayList<>();

        @Option(names = "--state-dir", description = "state directory (also JTROVE_STATE_DIR)")
        String stateDir;

        JtroveConfig load() {
            JtroveConfig c = JtroveConfig.load(configFiles, System.getenv());
            c.warnings().forEach(w -> LoggerFactory.getLogger(Main.class).warn(w));
            return stateDir == null ? c : c.with("state_dir", stateDir);
        }
    }

    @Command(name = "server", mixinStandardHelpOptions = true,
            description = "Run api, taskmanager, conductor and guest agents in one process.")
    static final class Server implements Callable<Integer> {
        @CommandLine.Mixin
        Common common = new Common();

        @Option(names = "--port", description = "API port (default 8779; also JTROVE_PORT)")
        Integer port;

        @Option(names = "--bind", description = "API bind address (default 0.0.0.0; also JTROVE_BIND_HOST)")
        String bind;

        @Override
        public Integer call() throws Exception {
            JtroveConfig config = common.load();
            if (port != null) {
                config = config.with("port", port);
            }
            if (bind != null) {
                config = config.with("bind_host", bind);
            }
            AllInOne server = new AllInOne(config);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }, "shutdown"));
            System.out.println("jtrove is ready: " + (config.api.tls() ? "https" : "http") + "://"
                    + config.api.bindHost() + ":" + server.port()
                    + "/v1.0/{project_id}  (state in " + config.statePath() + ")");
            stopped.await();
            return 0;
        }
    }
}
