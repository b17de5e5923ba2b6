package org.jtrove.server;

import java.util.Locale;
import java.util.Map;
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
        if (markdown) {
            System.out.println("| section | key | default | meaning |");
            System.out.println("|---|---|---|---|");
        }
        for (Map.Entry<String, KeySpec> e : ConfigRecords.keys().entrySet()) {
            KeySpec k = e.getValue();
            String def = k.defaultValue() == null ? "" : k.defaultValue();
            String env = "DEFAULT".equals(k.section()) ? "JTROVE_" + k.name().toUpperCase(Locale.ROOT)
                    : "JTROVE_" + k.section().toUpperCase(Locale.ROOT) + "__" + k.name().toUpperCase(Locale.ROOT);
            String legacy = k.legacy().isEmpty() || k.legacy().equals(k.name()) ? ""
                    : " (also JTROVE_" + k.legacy().toUpperCase(Locale.ROOT) + ")";
            if (markdown) {
                System.out.printf("| `[%s]` | `%s` | %s | %s %s%s%s |%n", k.section(), k.name(),
                        def.isEmpty() ? "" : "`" + def + "`", k.description(), k.secret() ? "Secret. " : "",
                        "Environment: `" + env + "`", legacy);
            } else {
                System.out.printf("[%s] %s = %s%n    %s%s%n    environment: %s%s%n", k.section(), k.name(), def,
                        k.secret() ? "(secret) " : "", k.description(), env, legacy);
            }
        }
        return 0;
    }
}
