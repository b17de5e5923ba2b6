package org.jtrove.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.jtrove.model.InstanceAccess;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class AccessBodyTest {
    private static final InstanceAccess CURRENT = new InstanceAccess(true, List.of("10.0.0.0/8"));

    @Test
    void givenKeysReplaceAndMissingKeysKeepTheCurrentValues() {
        assertThat(AccessBody.parse(Json.parse("{\"is_public\": false}"), CURRENT, true))
                .isEqualTo(new InstanceAccess(false, List.of("10.0.0.0/8")));
        assertThat(AccessBody.parse(Json.parse("{\"allowed_cidrs\": [\"192.0.2.1\", \"2001:db8::/32\"]}"), CURRENT, true))
                .isEqualTo(new InstanceAccess(true, List.of("192.0.2.1", "2001:db8::/32")));
        assertThat(AccessBody.parse(Json.parse("{\"allowed_cidrs\": []}"), CURRENT, true))
                .isEqualTo(new InstanceAccess(true, List.of()));
        assertThat(AccessBody.parse(Json.parse("{}"), InstanceAccess.DEFAULT, false)).isEqualTo(InstanceAccess.DEFAULT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "[]", "\"public\"", "{\"is_public\": \"true\"}", "{\"is_public\": 1}",
            "{\"is_public\": null}", "{\"allowed_cidrs\": \"10.0.0.0/8\"}", "{\"allowed_cidrs\": null}",
            "{\"allowed_cidrs\": [10]}", "{\"allowed_cidrs\": [\"10.0.0.0/8\", \"10.0.0.0/8\"]}",
            "{\"allowed_cidrs\": [\"2001:db8::/32\", \"2001:DB8::/32\"]}", "{\"allowed_cidrs\": [\"10.0.0.1/8\"]}",
            "{\"allowed_cidrs\": [\"localhost\"]}", "{\"public\": true}"})
    void badAccessIsA400(String spec) {
        assertThatThrownBy(() -> AccessBody.parse(Json.parse(spec), CURRENT, true))
                .isInstanceOfSatisfying(JtroveException.class, e -> assertThat(e.status()).isEqualTo(400));
    }

    @Test
    void tooManyNetworksAreA400() {
        StringBuilder many = new StringBuilder("{\"allowed_cidrs\": [");
        for (int i = 0; i <= AccessBody.MAX_CIDRS; i++) {
            many.append(i == 0 ? "" : ", ").append("\"10.0.").append(i).append(".0/24\"");
        }
        assertThatThrownBy(() -> AccessBody.parse(Json.parse(many + "]}"), CURRENT, true))
                .hasMessageContaining("at most " + AccessBody.MAX_CIDRS);
    }

    @Test
    void publicNeedsAPublicAddress() {
        assertThatThrownBy(() -> AccessBody.parse(Json.parse("{\"is_public\": true}"), InstanceAccess.DEFAULT, false))
                .hasMessageContaining("public_address");
        assertThatThrownBy(() -> AccessBody.parse(Json.parse("{\"allowed_cidrs\": []}"), CURRENT, false))
                .as("still public after the update").hasMessageContaining("public_address");
    }
}
