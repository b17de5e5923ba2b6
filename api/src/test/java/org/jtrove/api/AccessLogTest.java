package org.jtrove.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AccessLogTest {
    @Test
    void secretLookingQueryValuesAreMasked() {
        assertThat(AccessLog.target("/v1.0/p/instances", "limit=5&password=hunter2&marker=abc"))
                .isEqualTo("/v1.0/p/instances?limit=5&password=***&marker=abc");
        assertThat(AccessLog.target("/v3/x", "X-Auth-Token=abc&OS_PASSWORD=x&pa%73sword=y&apikey=z&secret"))
                .isEqualTo("/v3/x?X-Auth-Token=***&OS_PASSWORD=***&pa%73sword=***&apikey=***&secret")
                .doesNotContain("abc", "=x", "=y", "=z");
        assertThat(AccessLog.target("/v1.0/p/instances", null)).isEqualTo("/v1.0/p/instances");
        assertThat(AccessLog.target("/v1.0/p/instances", "")).isEqualTo("/v1.0/p/instances");
    }

    @Test
    void noControlCharactersOrOverlongTargets() {
        assertThat(AccessLog.target("/a\nFAKE LINE\r\t", "q=1 2")).isEqualTo("/a?FAKE?LINE???q=1?2");
        assertThat(AccessLog.target("/" + "x".repeat(5000), null)).hasSize(2003).endsWith("...");
    }
}
