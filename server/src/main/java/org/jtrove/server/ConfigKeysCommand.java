package org.jtrove.server;

import java.util.Locale;
import java.util.concurrent.Callable;
import org.jtrove.server.config.ConfigRecords;
import org.jtrove.server.config.KeySpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jtrove config-keys}: every configuration key with its default and meaning, from the records themselves. */
@Command(name = "config-keys", mixinStandardHelpOptions = true,
        description = "List every configuration key (INI section and name, default, meaning).")
final class ConfigKeysCommand implements Callable<Integer> {
    @Option(names = "--markdown", description = "print a Markdown table (for the README)")
    boolean markdown;

    @Override
    public Integer call() {
        System.out.print(markdown ? markdownTable() : text());
        return 0;
    }

    /** Every key as the README's Markdown table: section, key, default, meaning with its environment variables. */
    static String markdownTable() {
        StringBuilder out = new StringBuilder("| section | key | default | meaning |\n|---|---|---|---|\n");
        for (KeySpec k : ConfigRecords.keys().values()) {
            String def = k.defaultValue() == null ? "" : k.defaultValue();
            out.append(String.format("| `[%s]` | `%s` | %s | %s %s%s%s |%n", k.section(), k.name(),
                    def.isEmpty() ? "" : "`" + def + "`", k.description(), k.secret() ? "Secret. " : "",
                    "Environment: `" + environment(k) + "`", legacy(k)));
        }
        return out.toString();
    }

    private static String text() {
        StringBuilder out = new StringBuilder();
        for (KeySpec k : ConfigRecords.keys().values()) {
            out.append(String.format("[%s] %s = %s%n    %s%s%n    environment: %s%s%n", k.section(), k.name(),
                    k.defaultValue() == null ? "" : k.defaultValue(), k.secret() ? "(secret) " : "", k.description(),
                    environment(k), legacy(k)));
        }
        return out.toString();
    }

    private static String environment(KeySpec k) {
        return "DEFAULT".equals(k.section()) ? "JTROVE_" + k.name().toUpperCase(Locale.ROOT)
                : "JTROVE_" + k.section().toUpperCase(Locale.ROOT) + "__" + k.name().toUpperCase(Locale.ROOT);
    }

    private static String legacy(KeySpec k) {
        return k.legacy().isEmpty() || k.legacy().equals(k.name()) ? ""
                : " (also JTROVE_" + k.legacy().toUpperCase(Locale.ROOT) + ")";
    }
}
