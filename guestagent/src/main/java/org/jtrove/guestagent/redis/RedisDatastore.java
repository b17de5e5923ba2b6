package org.jtrove.guestagent.redis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;
import org.jtrove.guestagent.Datastore;
import org.jtrove.guestagent.GuestHost;
import org.jtrove.guestagent.ConfigFiles;
import org.jtrove.guestagent.InstanceContext;
import org.jtrove.guestagent.Replication;
import org.jtrove.model.JtroveException;
import org.jtrove.model.config.ConfigParameter;
import org.jtrove.model.guest.ServerBuild;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;

/**
 * Redis: a key-value store without databases or users in Trove's sense (no {@link org.jtrove.guestagent.SqlDatastore}).
 * jtrove administers it as the ACL user {@code os_admin}; Trove's root is the {@code default} user, which has no
 * password until root is enabled. See {@link RedisConfig} for the files it runs from.
 */
public final class RedisDatastore implements Datastore {
    private final RedisReplication replication = new RedisReplication(this::admin);
    private static final String EMBEDDED = "com.github.codemonstur:embedded-redis";
    private static final Pattern VERSION = Pattern.compile("v=(\\d+\\.\\d+)\\.\\d+");
    private static final Pattern LINUX_AMD64 = Pattern.compile("redis-server-(\\d+\\.\\d+)\\.\\d+[^/]*-linux-amd64");
    private static final int TIMEOUT_MS = 3000;

    @Override
    public String manager() {
        return "redis";
    }

    @Override
    public String datastoreName() {
        return "redis";
    }

    @Override
    public int port() {
        return 6379;
    }

    @Override
    public String rootUserName() {
        return RedisConfig.ROOT;
    }

    @Override
    public String processName() {
        return "redis-server";
    }

    @Override
    public List<ServerBuild> discover() {
        Path server = Path.of("/usr/bin/redis-server");
        if (!Files.isExecutable(server)) {
            return List.of();
        }
        try {
            Process p = new ProcessBuilder(server.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            Matcher m = VERSION.matcher(out);
            return m.find() ? List.of(new ServerBuild(manager(), m.group(1), "/usr/bin", "/usr", "debian")) : List.of();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    @Override
    public List<String> mavenArtifacts() {
        return List.of(EMBEDDED);
    }

    /** embedded-redis jars hold one server binary per platform, e.g. redis-server-6.2.6-v5-linux-amd64. */
    @Override
    public ServerBuild unpackArtifact(String coordinates, Path jar, Path into) throws Exception {
        String[] gav = coordinates.split(":");
        if (gav.length != 3 || !EMBEDDED.equals(gav[0] + ":" + gav[1])) {
            throw new IllegalArgumentException(coordinates + " is not a Redis build this plugin knows");
        }
        Path server = into.resolve("bin").resolve("redis-server");
        Files.createDirectories(server.getParent());
        String version;
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            Matcher binary = zip.stream().map(e -> LINUX_AMD64.matcher(e.getName())).filter(Matcher::matches)
                    .findFirst().orElseThrow(() -> new IllegalArgumentException(jar + " holds no linux-amd64 redis-server"));
            version = binary.group(1);
            try (var in = zip.getInputStream(zip.getEntry(binary.group()))) {
                Files.copy(in, server);
            }
        }
        Files.setPosixFilePermissions(server, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new ServerBuild(manager(), version, server.getParent().toString(), into.toString(), "maven:" + coordinates);
    }

    /** Redis needs no initialisation: a template is a data directory holding only the ACL file. */
    @Override
    public void initTemplate(ServerBuild build, Path dataDir, String adminPassword, GuestHost host) throws IOException {
        Files.createDirectories(dataDir);
        Files.writeString(dataDir.resolve(RedisConfig.ACL_FILE), RedisConfig.initialAcl(adminPassword));
    }

    @Override
    public void configure(InstanceContext ctx, GuestHost host) throws IOException {
        Files.createDirectories(ctx.runDir());
        host.giveToDatabaseUser(ctx.runDir());
        ConfigFiles.replace(ctx.runDir().resolve("redis.conf"), RedisConfig.render(ctx, port()), host);
        Path overrides = ctx.runDir().resolve(RedisOverrides.FILE);
        if (!Files.isRegularFile(overrides, LinkOption.NOFOLLOW_LINKS)) {
            ConfigFiles.replace(overrides, RedisOverrides.render(java.util.Map.of()), host);
        }
        if (!Files.isRegularFile(RedisReplication.file(ctx), LinkOption.NOFOLLOW_LINKS)) {
            ConfigFiles.replace(RedisReplication.file(ctx), RedisReplication.standalone(), host);
        }
    }

    /**
     * Writes the group into overrides.conf (read at every start) and, on a running server, CONFIG SETs the values
     * that Redis takes live. A removed value goes back to jtrove's default when redis.conf sets it, otherwise to
     * Redis's own default, which needs a restart; so do the catalogue's restart-required parameters.
     */
    @Override
    public boolean applyConfiguration(InstanceContext ctx, GuestHost host, String adminPassword,
                                      java.util.Map<String, Object> values, java.util.Set<String> removed) throws Exception {
        java.util.Map<String, ConfigParameter> catalogue = catalogue(ctx);
        for (var e : values.entrySet()) {
            if (!catalogue.containsKey(e.getKey())) {
                throw JtroveException.unprocessable("The configuration parameter " + e.getKey() + " is not supported.");
            }
            RedisOverrides.check(e.getKey(), RedisOverrides.asText(e.getValue()));
        }
        boolean restart = false;
        if (adminPassword != null) {
            // Live first: a value the server refuses must not reach the file it reads at every start.
            java.util.Map<String, String> base = RedisConfig.baseValues(ctx, port());
            try (Jedis j = admin(ctx, adminPassword)) {
                for (var e : values.entrySet()) {
                    String value = RedisOverrides.asText(e.getValue());
                    if (catalogue.get(e.getKey()).restartRequired()) {
                        restart |= !value.equals(j.configGet(e.getKey()).get(e.getKey()));
                    } else {
                        j.configSet(e.getKey(), value);
                    }
                }
                for (String name : removed) {
                    ConfigParameter p = catalogue.get(name);
                    if (p != null && !p.restartRequired() && base.containsKey(name)) {
                        j.configSet(name, base.get(name));
                    } else if (p != null) {
                        restart = true;
                    }
                }
            } catch (redis.clients.jedis.exceptions.JedisDataException e) {
                throw JtroveException.unprocessable("The Redis server refused the configuration: " + e.getMessage());
            }
        }
        ConfigFiles.replace(ctx.runDir().resolve(RedisOverrides.FILE), RedisOverrides.render(values), host);
        return restart;
    }

    @Override
    public java.util.Map<String, Object> effectiveConfiguration(InstanceContext ctx, String adminPassword,
            List<org.jtrove.model.config.ConfigParameter> parameters) {
        java.util.Map<String, Object> out = new java.util.TreeMap<>();
        try (Jedis j = admin(ctx, adminPassword)) {
            for (org.jtrove.model.config.ConfigParameter p : parameters) {
                String shown = j.configGet(p.name()).get(p.name());
                if (shown != null) {
                    out.put(p.name(), ConfigFiles.typed(p, shown));
                }
            }
        }
        return out;
    }

    @Override
    public Replication replication() {
        return replication;
    }

    @Override
    public List<String> startCommand(InstanceContext ctx) {
        return List.of(ctx.build().binDir() + "/redis-server", ctx.runDir().resolve("redis.conf").toString());
    }

    @Override
    public boolean ping(InstanceContext ctx, String adminPassword) {
        try (Jedis j = admin(ctx, adminPassword)) {
            return "PONG".equals(j.ping());
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void changeAdminPassword(InstanceContext ctx, String oldPassword, String newPassword) {
        setUserAndSave(ctx, oldPassword, RedisConfig.ADMIN, "resetpass", RedisConfig.hashed(newPassword));
    }

    @Override
    public void enableRoot(InstanceContext ctx, String adminPassword, String password) {
        setUserAndSave(ctx, adminPassword, RedisConfig.ROOT, RedisConfig.rootEnabled(password));
    }

    @Override
    public void disableRoot(InstanceContext ctx, String adminPassword) {
        setUserAndSave(ctx, adminPassword, RedisConfig.ROOT, RedisConfig.rootDisabled());
    }

    @Override
    public boolean isRootEnabled(InstanceContext ctx, String adminPassword) {
        try (Jedis j = admin(ctx, adminPassword)) {
            return !j.aclGetUser(RedisConfig.ROOT).getFlags().contains("nopass");
        }
    }

    @Override
    public String backup(InstanceContext ctx, String adminPassword, String parentMeta, java.io.OutputStream out,
                         GuestHost host) throws Exception {
        return RedisBackup.backup(() -> admin(ctx, adminPassword, 10_000), ctx.dataDir(), parentMeta, out);
    }

    @Override
    public void restore(InstanceContext ctx, List<org.jtrove.guestagent.backup.BackupPayload> chain, GuestHost host)
            throws Exception {
        RedisBackup.restore(ctx.dataDir(), chain);
        Files.writeString(RedisConfig.restoringMarker(ctx), "the AOF of the restored data is not written yet\n");
        Files.setPosixFilePermissions(ctx.dataDir(), PosixFilePermissions.fromString("rwx------"));
        host.giveToDatabaseUser(ctx.dataDir());
    }

    /**
     * A restored data directory has an RDB but no append-only file, and a server started with appendonly on would
     * ignore the RDB; so it first starts with appendonly off (see RedisConfig.restoring) and, once the data is
     * loaded, AOF is switched on (unless the configuration group turns it off), which writes the AOF from memory.
     * Only when that file is complete does the marker go and the configuration return to normal.
     */
    @Override
    public void afterStart(InstanceContext ctx, GuestHost host, String adminPassword) throws Exception {
        if (!RedisConfig.restoring(ctx)) {
            return;
        }
        boolean wanted = !Files.readString(ctx.runDir().resolve(RedisOverrides.FILE)).contains("appendonly \"no\"");
        if (wanted) {
            try (Jedis j = admin(ctx, adminPassword)) {
                j.configSet("appendonly", "yes");
                long deadline = System.currentTimeMillis() + 600_000;
                while (true) {
                    String info = j.info("persistence");
                    boolean idle = info.contains("aof_rewrite_in_progress:0") && info.contains("aof_rewrite_scheduled:0");
                    Path manifest = ctx.dataDir().resolve("appendonlydir").resolve("appendonly.aof.manifest");   // 7.x
                    Path single = ctx.dataDir().resolve("appendonly.aof");                                       // 6.x
                    boolean written = Files.exists(manifest) || Files.exists(single) && Files.size(single) > 0;
                    if (idle && written && info.contains("aof_last_bgrewrite_status:ok")) {
                        break;
                    }
                    if (System.currentTimeMillis() > deadline) {
                        throw new IOException("the append-only file of the restored data was not written within 10"
                                + " minutes; restart the instance to try again");
                    }
                    Thread.sleep(20);
                }
            }
        }
        Files.delete(RedisConfig.restoringMarker(ctx));
        ConfigFiles.replace(ctx.runDir().resolve("redis.conf"), RedisConfig.render(ctx, port()), host);
    }

    /** Changes a user and writes the ACL file at once, so the change survives a restart. */
    private void setUserAndSave(InstanceContext ctx, String adminPassword, String user, String... rules) {
        try (Jedis j = admin(ctx, adminPassword)) {
            j.aclSetUser(user, rules);
            j.aclSave();
        }
    }

    private Jedis admin(InstanceContext ctx, String password) {
        return admin(ctx, password, TIMEOUT_MS);
    }

    /** An admin connection from the instance's own address (see InstanceContext). */
    private Jedis admin(InstanceContext ctx, String password, int socketTimeoutMs) {
        return new Jedis(new FromInstanceAddress(ctx.address(), port(), TIMEOUT_MS, socketTimeoutMs),
                DefaultJedisClientConfig.builder().user(RedisConfig.ADMIN).password(password)
                        .autoNegotiateProtocol(false).connectionTimeoutMillis(TIMEOUT_MS)
                        .socketTimeoutMillis(socketTimeoutMs).build());
    }
}
