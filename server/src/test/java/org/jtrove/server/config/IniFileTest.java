package org.jtrove.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The INI syntax as oslo.config's iniparser reads it. */
class IniFileTest {
    @Test
    void sectionsCommentsContinuationsQuotesAndNoInlineComments() {
        Map<String, Map<String, String>> ini = IniFile.parse(List.of(
                "top = before any section",
                "# a comment",
                "; another",
                "[DEFAULT]",
                "a = 1",
                "b: two",
                "c = x # not a comment",
                "d = \"quoted value\"",
                "e = first",
                "  second",
                "",
                "[database]",
                "connection = mysql+pymysql://u:p@h/db?charset=utf8",
                "empty ="), "test");
        assertThat(ini.get("DEFAULT")).containsEntry("top", "before any section").containsEntry("a", "1")
                .containsEntry("b", "two").containsEntry("c", "x # not a comment").containsEntry("d", "quoted value")
                .containsEntry("e", "first\nsecond");
        assertThat(ini.get("database")).containsEntry("connection", "mysql+pymysql://u:p@h/db?charset=utf8")
                .containsEntry("empty", "");
    }

    @Test
    void malformedLinesNameTheirLine() {
        assertThatThrownBy(() -> IniFile.parse(List.of("[DEFAULT]", "just words"), "f.conf"))
                .hasMessageContaining("f.conf:2");
        assertThatThrownBy(() -> IniFile.parse(List.of("[DEFAULT"), "f.conf")).hasMessageContaining("f.conf:1");
    }
}
