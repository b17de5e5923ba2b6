package org.jtrove.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jtrove.model.JtroveException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BodiesTest {
    @ParameterizedTest
    @ValueSource(strings = {"{\"databases\":[{\"name\":\"x\"}]} garbage", "{\"a\": 1}{\"b\": 2}", "{\"a\": 1} []",
            "{\"a\": 1} 1", "{\"a\": 1}}"})
    void contentAfterTheJsonValueIsA400(String body) {
        assertThatThrownBy(() -> Bodies.parseStrict(body)).isInstanceOf(JtroveException.class)
                .satisfies(e -> assertThat(((JtroveException) e).status()).isEqualTo(400))
                .hasMessageStartingWith("Malformed request body");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\": 1, \"a\": 2}", "{\"x\": {\"name\": \"a\", \"name\": \"b\"}}",
            "{\"users\": [{\"password\": \"p\", \"password\": \"q\"}]}"})
    void duplicateKeysAreA400ThatNamesTheKey(String body) {
        assertThatThrownBy(() -> Bodies.parseStrict(body)).isInstanceOf(JtroveException.class)
                .hasMessageContaining("Duplicate field").hasMessageContaining("send each key once");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\": 1}", " {\"a\": 1} \n", "{\"a\": {\"a\": 1}}"})
    void oneJsonValueWithWhitespaceAroundIsRead(String body) {
        assertThat(Bodies.parseStrict(body).isObject()).isTrue();
    }
}
