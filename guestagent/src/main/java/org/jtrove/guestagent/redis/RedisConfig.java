package org.jtrove.guestagent.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.jtrove.guestagent.InstanceContext;

/**
 * The files a Redis instance runs from: {@code run/redis.conf} (rewritten on every configure, e.g. a resize) and
 * the ACL file {@code data/users.acl}, which the server itself rewrites on {@code ACL SAVE}. Users live in the
 * data directory, like PostgreSQL's roles, so that rewriting the configuration never touches them.
 * Passwords appear only as SHA-256 hashes ({@code #hex}), which is all Redis keeps of them too.
 */
final class RedisConfig {
    static final String ADMIN = "os_admin";
    static final String ROOT = "default";
    static final String ACL_FILE = "users.acl";

    /**
     * Before root is enabled the default user needs no password (as in Trove) but may not administer the server
     * (@admin: ACL, CONFIG, SHUTDOWN, DEBUG, MODULE, ...), so an unauthenticated client cannot lock jtrove out.
     */
    static final List<String> DEFAULT_USER = List.of("on", "nopass", "~*", "&*", "+@all", "-@admin");

    private RedisConfig() {}

    static String render(InstanceContext ctx, int port) {
        return String.join("\n",
                "# written by jtrove for this instance; maxmemory follows the flavor's RAM (" + ctx.memoryMb() + " MB)",
                "bind " + ctx.address(),
                "port " + port,
                // Clients reach only this private loopback address, and every user is under ACL rules.
                "protected-mode no",
                "daemonize no",
                "supervised no",
                // Keeps the config path (and so the instance directory) in the command line, to recognise an adopted pid.
                "set-proc-title no",
                "logfile \"\"",
                "dir " + ctx.dataDir(),
                "aclfile " + ctx.dataDir().resolve(ACL_FILE),
                "maxmemory " + maxMemoryMb(ctx.memoryMb()) + "mb",
                "maxmemory-policy noeviction",
                // AOF with a final fsync on shutdown keeps every acknowledged write across a restart; RDB snapshots
                // make recovery fast. everysec bounds a crash (kill -9) to about one second of writes.
                "appendonly yes",
                "appendfsync everysec",
                "save 3600 1",
                "save 300 100",
                "save 60 10000",
                // the source this instance follows, if it is a replica (see RedisReplication)
                "include " + RedisReplication.file(ctx),
                // the configuration group, last so that it wins
                "include " + ctx.runDir().resolve(RedisOverrides.FILE),
                // a restored RDB is read only with appendonly off; it is switched on once the data is loaded
                restoring(ctx) ? "appendonly no" : "",
                "");
    }

    /** The single-valued settings redis.conf itself sets (name -> value), for resetting a removed group value. */
    static java.util.Map<String, String> baseValues(InstanceContext ctx, int port) {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        StringBuilder save = new StringBuilder();
        for (String line : render(ctx, port).split("\n")) {
            String[] parts = line.split(" ", 2);
            if (line.isBlank() || line.startsWith("#") || parts.length < 2) {
                continue;
            }
            if (parts[0].equals("save")) {
                save.append(save.length() == 0 ? "" : " ").append(parts[1]);
            } else {
                out.put(parts[0], parts[1]);
            }
        }
        out.put("save", save.toString());
        out.put("appendonly", "yes");
        return out;
    }

    /** Marks (in the root-only agent directory) a restored data directory whose AOF is not written yet. */
    static java.nio.file.Path restoringMarker(InstanceContext ctx) {
        return ctx.agentDir().resolve("redis-restoring");
    }

    static boolean restoring(InstanceContext ctx) {
        return java.nio.file.Files.exists(restoringMarker(ctx));
    }

    /** About three quarters of the flavor's RAM, leaving room for the server's own overhead and forks. */
    static int maxMemoryMb(int flavorMb) {
        return Math.max(16, flavorMb * 3 / 4);
    }

    /** The ACL file of a fresh data directory: the default user as above and jtrove's admin user. */
    static String initialAcl(String adminPassword) {
        return "user " + ROOT + " " + String.join(" ", DEFAULT_USER) + "\n"
                + "user " + ADMIN + " on " + hashed(adminPassword) + " ~* &* +@all\n";
    }

    /** ACL SETUSER rules that make the default user the password-protected root, with every right. */
    static String[] rootEnabled(String password) {
        return new String[] {"resetpass", "resetkeys", "resetchannels", "-@all", "on", hashed(password), "~*", "&*", "+@all"};
    }

    /** ACL SETUSER rules that return the default user to no password and no administration. */
    static String[] rootDisabled() {
        List<String> rules = new java.util.ArrayList<>(List.of("resetpass", "resetkeys", "resetchannels", "-@all"));
        rules.addAll(DEFAULT_USER);
        return rules.toArray(String[]::new);
    }

    /** A password as an ACL rule that carries only its SHA-256 hash. */
    static String hashed(String password) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
            return "#" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
