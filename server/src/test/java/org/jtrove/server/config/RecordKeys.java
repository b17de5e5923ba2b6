package org.jtrove.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pins a configuration record: its keys (section, name, default, component, in order) must be exactly the
 * expected lines {@code "section/name = default -> component"} ("(unset)" for no default), the defaults must bind
 * to {@code defaults}, and a file that sets every key binds each value to its own component.
 */
final class RecordKeys {
    private RecordKeys() {}

    /**
     * @param expected the key lines
     * @param values a value per component name to write in a file, and the typed value it must bind to
     */
    static <R extends Record> void pin(Class<R> type, List<String> expected, R defaults,
                                       Map<String, Object[]> values, Path dir) throws Exception {
        List<String> actual = new ArrayList<>();
        for (RecordComponent c : type.getRecordComponents()) {
            Key k = c.getAnnotation(Key.class);
            actual.add(k.section() + "/" + k.name() + " = " + (Key.UNSET.equals(k.value()) ? "(unset)" : k.value())
                    + " -> " + c.getName());
            assertThat(k.description()).as(k.name() + " is described").isNotBlank();
        }
        assertThat(actual).as(type.getSimpleName() + " keys").containsExactlyElementsOf(expected);
        assertThat(ConfigSource.load(List.of(), Map.of()).bind(type)).as("defaults").isEqualTo(defaults);

        Map<String, StringBuilder> sections = new LinkedHashMap<>();
        for (RecordComponent c : type.getRecordComponents()) {
            Key k = c.getAnnotation(Key.class);
            Object[] v = values.get(c.getName());
            assertThat(v).as("a test value for " + c.getName()).isNotNull();
            sections.computeIfAbsent(k.section(), s -> new StringBuilder()).append(k.name()).append(" = ")
                    .append(v[0]).append('\n');
        }
        StringBuilder ini = new StringBuilder();
        sections.forEach((s, body) -> ini.append('[').append(s).append("]\n").append(body));
        Path file = dir.resolve(type.getSimpleName() + ".conf");
        Files.writeString(file, ini);
        R bound = ConfigSource.load(List.of(file), Map.of()).bind(type);
        for (RecordComponent c : type.getRecordComponents()) {
            assertThat(c.getAccessor().invoke(bound)).as(c.getName() + " from the file").isEqualTo(values.get(c.getName())[1]);
        }
    }

    static Object[] v(String text, Object typed) {
        return new Object[] {text, typed};
    }
}
