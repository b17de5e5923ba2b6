package org.jtrove.guestagent.postgresql;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jtrove.guestagent.GuestHost;
import org.jtrove.model.guest.CharacterSets;
import org.jtrove.model.guest.ServerBuild;

/**
 * PostgreSQL's encodings and locales, read from a server build: a throwaway cluster (initdb) queried in
 * single-user mode. Encodings are the server's list without the client-only ones (SJIS, BIG5, ...), which
 * CREATE DATABASE refuses; locales are the C library locales the cluster imported (pg_collation, provider libc),
 * each with the encoding it needs (none: any).
 */
final class PostgresqlCharsets {
    private static final Pattern CLIENT_ONLY = Pattern.compile("(\\d+) is not a valid encoding code");

    private PostgresqlCharsets() {}

    static boolean isUtf8(String encoding) {
        return normalised(encoding).equals("utf8") || normalised(encoding).equals("unicode");
    }

    static String normalised(String encoding) {
        return encoding.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }

    static CharacterSets read(ServerBuild build, Path workDir, GuestHost host) throws Exception {
        Path data = workDir.resolve("data");
        host.giveToDatabaseUser(workDir);
        host.run(List.of(build.binDir() + "/initdb", "-D", data.toString(), "-U", PostgresqlDatastore.ADMIN,
                "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"), Duration.ofMinutes(3));
        Path encodings = workDir.resolve("encodings.csv");
        Path locales = workDir.resolve("locales.csv");
        StringBuilder script = new StringBuilder()
                .append("COPY (SELECT i, pg_encoding_to_char(i) FROM generate_series(0, 255) i")
                .append(" WHERE pg_encoding_to_char(i) <> '') TO '").append(encodings).append("' WITH (FORMAT csv);\n\n")
                // a locale listed for several encodings (C is also ucs_basic's, for UTF8) suits any
                .append("COPY (SELECT collcollate, CASE WHEN min(collencoding) < 0 OR count(DISTINCT collencoding) > 1")
                .append(" THEN NULL ELSE pg_encoding_to_char(min(collencoding)) END FROM pg_collation")
                .append(" WHERE collprovider = 'c' AND collcollate IS NOT NULL GROUP BY collcollate) TO '")
                .append(locales).append("' WITH (FORMAT csv);\n\n");
        // CREATE DATABASE checks the encoding before the locale: a server encoding fails on the unknown locale,
        // a client-only one says so by its number. Nothing is created.
        for (int i = 0; i < 64; i++) {
            script.append("CREATE DATABASE jtrove_probe TEMPLATE template0 ENCODING ").append(i)
                    .append(" LC_COLLATE 'jtrove-no-such-locale' LC_CTYPE 'jtrove-no-such-locale';\n\n");
        }
        Path sql = workDir.resolve("probe.sql");
        Files.writeString(sql, script);
        host.giveToDatabaseUser(sql);
        String output = host.run(List.of(build.binDir() + "/postgres", "--single", "-D", data.toString(),
                "-c", "lc_messages=C", "-j", "postgres"), sql, Duration.ofMinutes(2));
        List<String> clientOnly = new ArrayList<>();
        Matcher m = CLIENT_ONLY.matcher(output);
        while (m.find()) {
            clientOnly.add(m.group(1));
        }
        Map<String, String> byId = new LinkedHashMap<>();
        for (String line : Files.readAllLines(encodings, StandardCharsets.UTF_8)) {
            String[] f = line.split(",", 2);
            byId.put(f[0], f[1]);
        }
        clientOnly.forEach(byId::remove);
        List<CharacterSets.Collation> collations = new ArrayList<>();
        for (String line : Files.readAllLines(locales, StandardCharsets.UTF_8)) {
            String[] f = line.split(",", 2);
            collations.add(new CharacterSets.Collation(f[0], f.length > 1 && !f[1].isEmpty() ? f[1] : null, false));
        }
        return new CharacterSets(new ArrayList<>(byId.values()), collations);
    }
}
