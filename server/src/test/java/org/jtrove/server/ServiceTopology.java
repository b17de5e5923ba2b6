package org.jtrove.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jtrove.bus.rabbitmq.MessagingConfig;
import org.jtrove.bus.rabbitmq.RabbitBroker;
import org.jtrove.guestagent.ShortSocketDirs;
import org.jtrove.store.TestDatabaseServer;

/**
 * jtrove deployed as Trove is: a private RabbitMQ broker, a private MariaDB holding the metadata, and each
 * service as its own OS process with its own {@code jtrove.conf} — {@code apis} API services,
 * {@code taskmanagers} taskmanagers, one conductor, and one guest-agent host per entry of {@code hosts} (each with
 * its own state directory and address range, as separate machines would have). Everything is removed by
 * {@link #close()}, whatever happened.
 */
final class ServiceTopology implements AutoCloseable {
    final RabbitBroker broker;
    final TestDatabaseServer metadata;
    final Path root;
    final Map<String, JtroveProcess> services = new LinkedHashMap<>();
    private final String connection;
    private final Path backupDir;
    private final Path keyFile;
    private final List<String> hosts = new ArrayList<>();
    private final Map<String, String> common;

    private ServiceTopology(RabbitBroker broker, TestDatabaseServer metadata, Path root, Map<String, String> common)
            throws Exception {
        this.common = common;
        this.broker = broker;
        this.metadata = metadata;
        this.root = root;
        this.connection = metadata.osloUrl(metadata.createDatabase());
        this.backupDir = root.resolve("backups");
        Files.createDirectories(backupDir);
        this.keyFile = root.resolve("backup.key");
    }

    /**
     * Starts the broker and the metadata server, runs {@code jtrove manage db_sync}, then the services.
     *
     * @param hosts guest-agent host names, each with an address base (instances get 127.{base}.y.z)
     */
    static ServiceTopology start(int apis, int taskmanagers, Map<String, Integer> hosts) throws Exception {
        return start(apis, taskmanagers, hosts, Map.of());
    }

    /** As {@link #start(int, int, Map)}, with {@code common} keys ({@code section/key}) in every service's file. */
    static ServiceTopology start(int apis, int taskmanagers, Map<String, Integer> hosts, Map<String, String> common)
            throws Exception {
        RabbitBroker broker = null;
        TestDatabaseServer metadata = null;
        ServiceTopology t = null;
        try {
            broker = RabbitBroker.start();
            metadata = TestDatabaseServer.start(TestDatabaseServer.Kind.MARIADB);
            Path root = TestServers.stateDir("services").getParent();
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            t = new ServiceTopology(broker, metadata, root, common);
            t.manage("db_sync");
            t.manage("discover");
            t.manage("flavor-create", "1", "m1.tiny", "--ram", "512");
            t.manage("flavor-create", "2", "m1.small", "--ram", "1024");
            t.add("conductor", "conductor", Map.of());
            for (Map.Entry<String, Integer> h : hosts.entrySet()) {
                t.addHost(h.getKey(), h.getValue());
            }
            for (int n = 1; n <= taskmanagers; n++) {
                t.add("taskmanager-" + n, "taskmanager", Map.of());
            }
            for (int n = 1; n <= apis; n++) {
                t.add("api-" + n, "api", Map.of());
            }
            return t;
        } catch (Exception | Error e) {
            if (t != null) {
                t.close();
            } else {
                if (broker != null) {
                    broker.close();
                }
                if (metadata != null) {
                    metadata.close();
                }
            }
            throw e;
        }
    }

    /** Starts a guest-agent host service named {@code host} with its own state and address range. */
    JtroveProcess addHost(String host, int addressBase) throws Exception {
        hosts.add(host);
        return add("guestagent-" + host, "guestagent", Map.of("DEFAULT/host", host,
                "DEFAULT/address_base", Integer.toString(addressBase)));
    }

    /** Starts service {@code name} running {@code command}, with {@code extra} keys ({@code section/key}) in its file. */
    JtroveProcess add(String name, String command, Map<String, String> extra) throws Exception {
        int port = JtroveProcess.freePort();
        Path conf = writeConfig(name, port, extra);
        JtroveProcess p = JtroveProcess.service(name, command, List.of(conf), root, port);
        services.put(name, p);
        return p.start();
    }

    JtroveProcess service(String name) {
        return services.get(name);
    }

    /** An API client of the first API service, project {@code project} (noauth). */
    ApiClient api(String project) {
        return api(1, project);
    }

    ApiClient api(int n, String project) {
        return new ApiClient(services.get("api-" + n).port(), project);
    }

    Path stateOf(String name) {
        return root.resolve(name);
    }

    List<String> hosts() {
        return hosts;
    }

    /** Runs {@code jtrove manage --config-file <manage.conf> <args>} as an operator would. */
    void manage(String... args) throws Exception {
        Path conf = writeConfig("manage", 0, Map.of());
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                "org.jtrove.server.Main", "manage", "--config-file", conf.toString()));
        command.addAll(List.of(args));
        Path log = root.resolve("manage.log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("jtrove manage " + String.join(" ", args) + " failed: " + Files.readString(log));
        }
    }

    /** The service's jtrove.conf: the shared broker, metadata and backup storage, its own state and port. */
    private Path writeConfig(String name, int port, Map<String, String> extra) throws Exception {
        Path state = stateOf(name);
        Files.createDirectories(state);
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx--x--x"));
        MessagingConfig m = broker.config();
        Map<String, Map<String, String>> ini = new LinkedHashMap<>();
        Map<String, String> defaults = ini.computeIfAbsent("DEFAULT", s -> new LinkedHashMap<>());
        defaults.put("transport_url", m.transportUrl().format());
        defaults.put("state_path", state.toString());
        defaults.put("auth_strategy", "noauth");
        defaults.put("rate_limit_per_minute", "0");
        defaults.put("bind_host", "127.0.0.1");
        defaults.put("bind_port", Integer.toString(port));
        defaults.put("backup_dir", backupDir.toString());
        defaults.put("backup_key_file", keyFile.toString());
        defaults.put("report_interval", "1");
        ini.computeIfAbsent("database", s -> new LinkedHashMap<>()).put("connection", connection);
        ini.computeIfAbsent("oslo_messaging_rabbit", s -> new LinkedHashMap<>())
                .put("management_url", "http://127.0.0.1:" + broker.managementPort());
        Map<String, String> added = new LinkedHashMap<>(common);
        added.putAll(extra);
        added.forEach((key, value) -> ini.computeIfAbsent(key.substring(0, key.indexOf('/')), s -> new LinkedHashMap<>())
                .put(key.substring(key.indexOf('/') + 1), value));
        StringBuilder text = new StringBuilder();
        ini.forEach((section, keys) -> {
            text.append('[').append(section).append("]\n");
            keys.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
        });
        if (!Files.exists(keyFile)) {
            org.jtrove.model.InstallationKey.load(keyFile, true);
        }
        Path conf = root.resolve(name + ".conf");
        Files.writeString(conf, text);
        return conf;
    }

    /** Instance directories left on the guest-agent hosts (each holds a server's data). */
    List<String> instanceDirectories() throws Exception {
        List<String> left = new ArrayList<>();
        for (String host : hosts) {
            Path dir = stateOf("guestagent-" + host).resolve("instances");
            if (Files.isDirectory(dir)) {
                try (var dirs = Files.list(dir)) {
                    dirs.forEach(d -> left.add(host + "/" + d.getFileName()));
                }
            }
        }
        return left;
    }

    /**
     * Stops every service (SIGTERM), removes what instances a failed test left on the hosts (their servers, OS
     * users and access tables), then stops the metadata server and the broker; the directories go with the test's.
     */
    @Override
    public void close() throws Exception {
        for (JtroveProcess p : services.values()) {
            try {
                p.stop();
            } catch (Exception e) {
                System.err.println("could not stop " + p.name() + ": " + e);
            }
        }
        for (String left : instanceDirectories()) {
            String id = left.substring(left.indexOf('/') + 1);
            String user = org.jtrove.guestagent.host.OsUser.forInstance(id);
            for (List<String> cmd : List.of(List.of("pkill", "-KILL", "-u", user), List.of("nft", "delete", "table", "inet",
                    "jtrove_" + id.replace("-", "")), List.of("userdel", user))) {
                new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start().waitFor();
            }
            ShortSocketDirs.remove(id, stateOf("guestagent-" + left.substring(0, left.indexOf('/')))
                    .resolve("instances").resolve(id));
            System.err.println("removed instance " + left + ", left by a failed test");
        }
        new ProcessBuilder("pkill", "-KILL", "-f", root.toString()).start().waitFor();
        metadata.close();
        broker.close();
    }
}
