package org.jtrove.server.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An INI file read as oslo.config reads it (its {@code iniparser}): {@code [section]} headers, {@code key = value}
 * or {@code key: value}, whole-line comments starting with {@code #} or {@code ;}, continuation lines that start
 * with white space, a value in matching quotes unquoted, and no inline comments (a {@code #} inside a value, as in a password, belongs to the value).
 * Parsed by hand because the Java INI libraries treat inline {@code ;}/{@code #} as comments, which would cut such
 * values short.
 */
public final class IniFile {
    private IniFile() {}

    /**
     * Section -> key -> value, in file order; keys before any section belong to {@code DEFAULT}.
     *
     * @throws IllegalArgumentException naming the file and line of a malformed line
     */
    public static Map<String, Map<String, String>> read(Path file) throws IOException {
        return parse(Files.readAllLines(file), file.toString());
    }

    static Map<String, Map<String, String>> parse(List<String> lines, String origin) {
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        String section = "DEFAULT";
        String lastKey = null;
        for (int n = 0; n < lines.size(); n++) {
            String raw = lines.get(n);
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                lastKey = raw.isEmpty() ? null : lastKey;
                continue;
            }
            if (Character.isWhitespace(raw.charAt(0)) && lastKey != null) {
                Map<String, String> keys = sections.get(section);
                keys.put(lastKey, keys.get(lastKey) + "\n" + line);
                continue;
            }
            if (line.startsWith("[")) {
                if (!line.endsWith("]") || line.length() < 3) {
                    throw new IllegalArgumentException(origin + ":" + (n + 1) + ": malformed section header: " + line);
                }
                section = line.substring(1, line.length() - 1).strip();
                sections.computeIfAbsent(section, s -> new LinkedHashMap<>());
                lastKey = null;
                continue;
            }
            int eq = line.indexOf('=');
            int colon = line.indexOf(':');
            int split = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
            if (split <= 0) {
                throw new IllegalArgumentException(origin + ":" + (n + 1) + ": expected `key = value`, not: " + line);
            }
            lastKey = line.substring(0, split).strip();
            sections.computeIfAbsent(section, s -> new LinkedHashMap<>()).put(lastKey, unquote(line.substring(split + 1).strip()));
        }
        return sections;
    }

    private static String unquote(String value) {
        boolean quoted = value.length() >= 2 && value.charAt(0) == value.charAt(value.length() - 1)
                && (value.charAt(0) == '"' || value.charAt(0) == '\'');
        return quoted ? value.substring(1, value.length() - 1) : value;
    }
}
