package org.jtrove.guestagent.mariadb;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jtrove.guestagent.InstanceContext;
import org.jtrove.guestagent.TemplateCache;
import org.jtrove.guestagent.backup.BackupPayload;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;
import org.jtrove.model.guest.ServerBuild;

/**
 * Hot backups with mariadb-backup (the server build's own, so versions match): an xbstream on stdout, piped into
 * the sealed backup stream; incremental backups start at the parent's last log sequence number. A restore
 * unpacks each stream with mbstream and prepares the chain (full, then each increment) before it becomes the
 * new instance's data directory.
 */
final class MariadbBackup {
    private static final Pattern TO_LSN = Pattern.compile("(?m)^to_lsn\\s*=\\s*(\\d+)");

    private MariadbBackup() {}

    /**
     * Streams a backup into {@code out}. mariadb-backup connects over the server's Unix socket: it cannot choose a
     * TCP source address, and connections to the instance's address may be limited by its access rules.
     */
    static String backup(InstanceContext ctx, String admin, String password, Path socket, String parentMeta,
                         OutputStream out) throws Exception {
        Path work = Files.createTempDirectory(ctx.agentDir(), "backup-");
        try {
            Path options = work.resolve("backup.cnf");
            Files.createFile(options, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(options, "[mariadb-backup]\nuser=" + admin + "\npassword=\"" + password + "\"\nsocket="
                    + socket + "\nprotocol=socket\n");
            Path lsnDir = Files.createDirectory(work.resolve("lsn"));
            List<String> command = new ArrayList<>(List.of(tool(ctx.build(), "mariadb-backup"),
                    "--defaults-file=" + options, "--backup", "--stream=xbstream",
                    "--target-dir=" + Files.createDirectory(work.resolve("target")), "--extra-lsndir=" + lsnDir,
                    "--datadir=" + ctx.dataDir()));
            if (parentMeta != null) {
                String parentLsn = Json.parse(parentMeta).path("to_lsn").asText();
                if (!parentLsn.matches("\\d+")) {
                    throw JtroveException.badRequest("The parent backup has no log sequence number; take a full backup.");
                }
                command.add("--incremental-lsn=" + parentLsn);
            }
            Path log = work.resolve("mariadb-backup.log");
            Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
            p.getOutputStream().close();
            try (InputStream stream = p.getInputStream()) {
                stream.transferTo(out);
            } catch (IOException e) {
                p.destroyForcibly().waitFor();   // cancelled or storage failed: stop the tool at once
                throw e;
            } finally {
                if (!p.waitFor(10, TimeUnit.MINUTES)) {
                    p.destroyForcibly().waitFor();
                }
            }
            if (p.exitValue() != 0) {
                throw new IOException("mariadb-backup failed (exit " + p.exitValue() + "): " + tail(log));
            }
            Matcher m = TO_LSN.matcher(Files.readString(lsnDir.resolve("xtrabackup_checkpoints")));
            if (!m.find()) {
                throw new IOException("mariadb-backup wrote no checkpoint (to_lsn)");
            }
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("format", "mariabackup-xbstream-1");
            meta.put("to_lsn", m.group(1));
            meta.put("incremental", parentMeta != null);
            return Json.write(meta);
        } finally {
            TemplateCache.deleteTree(work);
        }
    }

    static void restore(InstanceContext ctx, List<BackupPayload> chain) throws Exception {
        Path work = ctx.instanceDir().resolve("restore-work");
        TemplateCache.deleteTree(work);
        Files.createDirectories(work);
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx------"));
        try {
            List<Path> dirs = new ArrayList<>();
            for (BackupPayload payload : chain) {
                Path dir = Files.createDirectory(work.resolve("b" + dirs.size()));
                unpack(ctx.build(), payload, dir, work.resolve("mbstream.log"));
                dirs.add(dir);
            }
            String tool = tool(ctx.build(), "mariadb-backup");
            run(List.of(tool, "--no-defaults", "--prepare", "--target-dir=" + dirs.get(0)), work.resolve("prepare.log"));
            for (Path increment : dirs.subList(1, dirs.size())) {
                run(List.of(tool, "--no-defaults", "--prepare", "--target-dir=" + dirs.get(0),
                        "--incremental-dir=" + increment), work.resolve("prepare.log"));
            }
            Files.move(dirs.get(0), ctx.dataDir());
        } finally {
            TemplateCache.deleteTree(work);
        }
    }

    private static void unpack(ServerBuild build, BackupPayload payload, Path dir, Path log) throws Exception {
        Process p = new ProcessBuilder(tool(build, "mbstream"), "-x", "-C", dir.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try (InputStream in = payload.open(); OutputStream toTool = p.getOutputStream()) {
            in.transferTo(toTool);
        } finally {
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly().waitFor();
            }
        }
        if (p.exitValue() != 0) {
            throw new IOException("mbstream could not unpack the backup (exit " + p.exitValue() + "): " + tail(log));
        }
    }

    private static void run(List<String> command, Path log) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        p.getOutputStream().close();
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroyForcibly().waitFor();
            throw new IOException(command.get(0) + " did not finish within 30 minutes");
        }
        if (p.exitValue() != 0) {
            throw new IOException("mariadb-backup --prepare failed (exit " + p.exitValue() + "): " + tail(log));
        }
    }

    /** The build's own tool (versions must match the server); Debian's build has it in /usr/bin (mariadb-backup). */
    static String tool(ServerBuild build, String name) {
        for (Path candidate : List.of(Path.of(build.baseDir(), "bin", name), Path.of(build.binDir(), name))) {
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw JtroveException.notImplemented("The " + build.version() + " server build has no " + name
                + "; install it (Debian: apt-get install mariadb-backup) to take and restore backups.");
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 6), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
