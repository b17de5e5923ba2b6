package org.jtrove.guestagent.redis;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.jtrove.guestagent.ConfigFiles;
import org.jtrove.guestagent.GuestHost;
import org.jtrove.guestagent.InstanceContext;
import org.jtrove.guestagent.Replication;
import org.jtrove.model.guest.ReplicationSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;

/**
 * Redis replication: {@code REPLICAOF} with {@code masteruser}/{@code masterauth} (jtrove's ACL user on the
 * source, allowed only the replication commands), written to {@code run/replication.conf} (included by redis.conf)
 * so that a restarted replica follows again. Redis copies the data itself (a full resynchronisation), so no
 * snapshot is taken. Replicas refuse writes ({@code replica-read-only}). A planned switchover pauses the source's
 * writes ({@code CLIENT PAUSE WRITE}) and waits until the replica's offset reaches the source's.
 */
final class RedisReplication implements Replication {
    static final String FILE = "replication.conf";
    private static final String[] REPLICATION_RULES = {"on", "resetkeys", "resetchannels", "-@all", "+psync",
            "+replconf", "+ping", "+sync"};
    private final BiFunction<InstanceContext, String, Jedis> admin;

    RedisReplication(BiFunction<InstanceContext, String, Jedis> admin) {
        this.admin = admin;
    }

    /** The replication settings file of an instance that follows no source. */
    static String standalone() {
        return "# written by jtrove: this instance follows no source\n";
    }

    @Override
    public boolean needsSnapshot() {
        return false;
    }

    @Override
    public String prepareSource(InstanceContext ctx, GuestHost host, String adminPassword, String replicaId,
                                String password) {
        try (Jedis j = admin.apply(ctx, adminPassword)) {
            String[] rules = Arrays.copyOf(REPLICATION_RULES, REPLICATION_RULES.length + 2);
            rules[rules.length - 2] = "resetpass";
            rules[rules.length - 1] = RedisConfig.hashed(password);
            j.aclSetUser(USER, rules);
            j.aclSave();
        }
        return null;
    }

    @Override
    public void forgetReplica(InstanceContext ctx, String adminPassword, String replicaId) {
        // a Redis source keeps nothing per replica
    }

    @Override
    public boolean writeFollowConfig(InstanceContext ctx, GuestHost host, ReplicationSource source) throws Exception {
        ConfigFiles.replace(file(ctx), "# written by jtrove: this instance is a replica\n"
                + "replicaof " + source.address() + " " + source.port() + "\n"
                + "masteruser " + source.user() + "\n"
                + "masterauth \"" + source.password() + "\"\n"
                + "replica-read-only yes\n", host);
        return false;
    }

    @Override
    public void startFollowing(InstanceContext ctx, GuestHost host, String adminPassword, ReplicationSource source) {
        try (Jedis j = admin.apply(ctx, adminPassword)) {
            j.configSet("masteruser", source.user());
            j.configSet("masterauth", source.password());
            j.replicaof(source.address(), source.port());
            j.sendCommand(Protocol.Command.CLIENT, "UNPAUSE");   // a fenced old source
            awaitSynchronised(j);
        }
    }

    /** A replica is ready once its first full synchronisation is done: before, it holds none of the source's data. */
    private static void awaitSynchronised(Jedis j) {
        long deadline = System.currentTimeMillis() + 600_000;
        while (true) {
            Map<String, String> info = info(j);
            if ("up".equals(info.get("master_link_status")) && "0".equals(info.get("master_sync_in_progress"))) {
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the replica did not synchronise with its source within 600 s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the replica synchronised", e);
            }
        }
    }

    @Override
    public void promote(InstanceContext ctx, GuestHost host, String adminPassword) throws Exception {
        ConfigFiles.replace(file(ctx), standalone(), host);
        try (Jedis j = admin.apply(ctx, adminPassword)) {
            j.replicaofNoOne();
        }
    }

    @Override
    public String fence(InstanceContext ctx, GuestHost host, String adminPassword, StopServer stop) {
        try (Jedis j = admin.apply(ctx, adminPassword)) {
            j.sendCommand(Protocol.Command.CLIENT, "PAUSE", "60000", "WRITE");
            return info(j).get("master_repl_offset");
        }
    }

    @Override
    public void awaitPosition(InstanceContext ctx, String adminPassword, String position, long timeoutMs)
            throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        long wanted = Long.parseLong(position);
        try (Jedis j = admin.apply(ctx, adminPassword)) {
            while (Long.parseLong(info(j).getOrDefault("slave_repl_offset", "-1")) < wanted) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("the replica did not reach the source's offset " + wanted
                            + " within " + timeoutMs / 1000 + " s");
                }
                Thread.sleep(20);
            }
        }
    }

    @Override
    public long rank(InstanceContext ctx, String adminPassword) {
        try (Jedis j = admin.apply(ctx, adminPassword)) {
            Map<String, String> info = info(j);
            return Long.parseLong(info.getOrDefault("slave_repl_offset", info.getOrDefault("master_repl_offset", "0")));
        }
    }

    /** 0 while the link to the source is up and synchronised; the seconds since it went down otherwise. */
    @Override
    public Double lag(InstanceContext ctx, String adminPassword) {
        try (Jedis j = admin.apply(ctx, adminPassword)) {
            Map<String, String> info = info(j);
            if (!"slave".equals(info.get("role"))) {
                return null;
            }
            if ("up".equals(info.get("master_link_status")) && "0".equals(info.get("master_sync_in_progress"))) {
                return 0.0;
            }
            String down = info.get("master_link_down_since_seconds");
            return down == null || down.startsWith("-") ? null : Double.parseDouble(down);
        }
    }

    private static Map<String, String> info(Jedis j) {
        Map<String, String> out = new HashMap<>();
        for (String line : j.info("replication").split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                out.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return out;
    }

    static Path file(InstanceContext ctx) {
        return ctx.runDir().resolve(FILE);
    }
}
