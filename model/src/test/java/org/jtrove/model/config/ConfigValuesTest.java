package org.jtrove.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;
import org.junit.jupiter.api.Test;

class ConfigValuesTest {
    private static final List<ConfigParameter> CATALOGUE = List.of(
            new ConfigParameter("work_mem", "integer", BigDecimal.valueOf(64), BigDecimal.valueOf(2147483647L), false, List.of()),
            new ConfigParameter("random_page_cost", "float", BigDecimal.ZERO, BigDecimal.valueOf(1000), false, List.of()),
            new ConfigParameter("jit", "boolean", null, null, false, List.of()),
            new ConfigParameter("wal_level", "string", null, null, true, List.of("replica", "logical")),
            new ConfigParameter("save", "string", null, null, false, List.of()));

    @Test
    void namesMatchWithoutRegardToCaseAndAreStoredAsTheCatalogueSpellsThem() {
        assertThat(ConfigValues.validate(Json.parse("{\"Work_Mem\": 8192, \"JIT\": true}"), CATALOGUE))
                .containsExactlyInAnyOrderEntriesOf(Map.of("work_mem", 8192L, "jit", true));
        assertThatThrownBy(() -> ConfigValues.validate(Json.parse("{\"work_mem\": 100, \"WORK_MEM\": 200}"), CATALOGUE))
                .isInstanceOf(JtroveException.class).hasMessageContaining("more than once");
    }

    @Test
    void acceptsEachTypeAndNormalisesIt() {
        Map<String, Object> v = ConfigValues.validate(Json.parse("{\"work_mem\": 8192, \"random_page_cost\": 2,"
                + " \"jit\": false, \"wal_level\": \"LOGICAL\", \"save\": \"900 1 300 10\"}"), CATALOGUE);
        assertThat(v).containsExactlyInAnyOrderEntriesOf(Map.of("work_mem", 8192L, "random_page_cost", 2.0,
                "jit", false, "wal_level", "logical", "save", "900 1 300 10"));
    }

    @Test
    void unknownNameWrongTypeAndOutOfRangeAre422() {
        assertStatus("{\"no_such\": 1}", 422, "not supported");
        assertStatus("{\"work_mem\": \"8MB\"}", 422, "not of type integer");
        assertStatus("{\"work_mem\": 1.5}", 422, "not of type integer");
        assertStatus("{\"work_mem\": true}", 422, "not of type integer");
        assertStatus("{\"jit\": \"on\"}", 422, "not of type boolean");
        assertStatus("{\"random_page_cost\": \"1\"}", 422, "not of type float");
        assertStatus("{\"work_mem\": 63}", 422, "below the minimum allowed value 64");
        assertStatus("{\"work_mem\": 2147483648}", 422, "above the maximum allowed value 2147483647");
        assertStatus("{\"work_mem\": 99999999999999999999999}", 422, "above the maximum");
        assertStatus("{\"random_page_cost\": 1e308}", 422, "above the maximum");
        assertStatus("{\"wal_level\": \"minimal\"}", 422, "not one of replica, logical");
    }

    @Test
    void freeStringsCannotCarryQuotesOrControlCharacters() {
        for (String bad : List.of("a'b", "a\"b", "a\\b", "a\nb", "a;b", "a#b", "x".repeat(256))) {
            assertThatThrownBy(() -> ConfigValues.validate(Json.MAPPER.createObjectNode().put("save", bad), CATALOGUE))
                    .isInstanceOf(JtroveException.class).extracting(e -> ((JtroveException) e).status()).isEqualTo(422);
        }
    }

    @Test
    void valuesMustBeAnObjectAndTheCatalogueNonEmpty() {
        assertStatus("[1]", 400, "must be an object");
        assertThatThrownBy(() -> ConfigValues.validate(Json.parse("{}"), List.of()))
                .hasMessageContaining("Configuration groups are not supported for this datastore")
                .extracting(e -> ((JtroveException) e).status()).isEqualTo(422);
    }

    @Test
    void catalogueEntriesCanStartAtAVersion() throws Exception {
        String json = "{\"parameters\": [{\"name\": \"a\", \"type\": \"integer\", \"min\": 1, \"max\": 5,"
                + " \"restart_required\": true}, {\"name\": \"b\", \"type\": \"string\", \"since\": \"10.11\","
                + " \"values\": [\"x\"]}]}";
        assertThat(ConfigCatalogue.parse(stream(json), "10.6")).extracting(ConfigParameter::name).containsExactly("a");
        List<ConfigParameter> newer = ConfigCatalogue.parse(stream(json), "11.1");
        assertThat(newer).extracting(ConfigParameter::name).containsExactly("a", "b");
        assertThat(newer.get(0).restartRequired()).isTrue();
        assertThat(newer.get(0).max()).isEqualByComparingTo("5");
        assertThat(newer.get(1).allowed()).containsExactly("x");
        assertThatThrownBy(() -> ConfigCatalogue.parse(stream("{\"parameters\": [{\"name\": \"x'y\", \"type\": \"integer\"}]}"), "1"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static ByteArrayInputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertStatus(String values, int status, String message) {
        assertThatThrownBy(() -> ConfigValues.validate(Json.parse(values), CATALOGUE))
                .isInstanceOf(JtroveException.class).hasMessageContaining(message)
                .extracting(e -> ((JtroveException) e).status()).isEqualTo(status);
    }
}
