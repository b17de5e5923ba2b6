package org.jtrove.guestagent.mariadb;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jtrove.guestagent.GuestHost;
import org.jtrove.model.guest.CharacterSets;
import org.jtrove.model.guest.ServerBuild;

/**
 * MariaDB's character sets and collations, read from a server build: the server started once in bootstrap mode
 * (no networking, no grant tables) on an empty directory writes information_schema.CHARACTER_SETS and COLLATIONS
 * to files. When the build reads "utf8" as utf8mb3 (old_mode UTF8_IS_UTF8MB3, the default), "utf8" and its
 * "utf8_*" collations are listed too, as the server accepts them.
 */
final class MariadbCharsets {
    private MariadbCharsets() {}

    static CharacterSets read(ServerBuild build, Path workDir, GuestHost host) throws Exception {
        Path data = workDir.resolve("data");
        Files.createDirectories(data);
        Path charsets = workDir.resolve("charsets.txt");
        Path collations = workDir.resolve("collations.txt");
        Path utf8 = workDir.resolve("utf8.txt");
        Path sql = workDir.resolve("probe.sql");
        Files.writeString(sql, "SELECT CHARACTER_SET_NAME FROM information_schema.CHARACTER_SETS INTO OUTFILE '"
                + charsets + "';\nSELECT COLLATION_NAME, CHARACTER_SET_NAME, IS_DEFAULT FROM information_schema.COLLATIONS"
                + " WHERE CHARACTER_SET_NAME IS NOT NULL INTO OUTFILE '" + collations + "';\n"
                + "SELECT CHARSET(CONVERT('' USING utf8)) INTO OUTFILE '" + utf8 + "';\n");
        host.giveToDatabaseUser(workDir);
        List<String> command = new ArrayList<>(List.of(build.binDir() + "/mariadbd", "--no-defaults", "--bootstrap",
                "--datadir=" + data, "--skip-grant-tables", "--skip-networking", "--innodb-log-file-size=4M",
                "--secure-file-priv=" + workDir, "--log-error=" + workDir.resolve("error.log")));
        if (!"debian".equals(build.source())) {
            command.addAll(List.of("--basedir=" + build.baseDir(), "--lc-messages-dir=" + build.baseDir() + "/share"));
        }
        host.run(command, sql, Duration.ofMinutes(2));
        List<String> sets = new ArrayList<>(Files.readAllLines(charsets, StandardCharsets.UTF_8));
        List<CharacterSets.Collation> list = new ArrayList<>();
        for (String line : Files.readAllLines(collations, StandardCharsets.UTF_8)) {
            String[] f = line.split("\t", -1);
            list.add(new CharacterSets.Collation(f[0], f[1], "Yes".equalsIgnoreCase(f[2])));
        }
        if (Files.readString(utf8).trim().equals("utf8mb3") && !sets.contains("utf8")) {
            sets.add("utf8");
            for (CharacterSets.Collation c : List.copyOf(list)) {
                if ("utf8mb3".equals(c.characterSet())) {
                    list.add(new CharacterSets.Collation("utf8" + c.name().substring("utf8mb3".length()), "utf8",
                            c.isDefault()));
                }
            }
        }
        return new CharacterSets(sets, list);
    }
}
