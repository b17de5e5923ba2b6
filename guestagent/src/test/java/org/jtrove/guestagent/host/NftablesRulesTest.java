package org.jtrove.guestagent.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.jtrove.model.Cidr;
import org.junit.jupiter.api.Test;

class NftablesRulesTest {
    private static final String ID = "0b4e2b2e-6d0c-4a4e-9d7c-2f1a3c5e7d90";

    @Test
    void theScriptReplacesOneTableThatOnlyNamesTheInstancesAddresses() {
        String script = NftablesRules.script(new NftablesRules.Target(ID, Cidr.literal("127.10.0.7"), 5432,
                Set.of(0, 1234), Cidr.literal("192.0.2.10"), 16001,
                List.of(Cidr.parse("10.0.0.0/8", "c"), Cidr.parse("127.0.0.2", "c"), Cidr.parse("2001:db8::/32", "c")),
                Set.of(2001, 2002)));
        String table = "inet jtrove_0b4e2b2e6d0c4a4e9d7c2f1a3c5e7d90";
        assertThat(script).startsWith("table " + table + "\ndelete table " + table + "\ntable " + table + " {\n");
        assertThat(script).contains("elements = { 10.0.0.0/8, 127.0.0.2/32 }")
                .contains("elements = { 2001:db8:0:0:0:0:0:0/32 }")
                .contains("type filter hook output priority filter; policy accept;")
                .contains("ip daddr 127.10.0.7 tcp dport 5432 tcp flags & (syn | ack) == syn jump admit")
                .contains("ip saddr 127.10.0.7 meta skuid { 0, 1234 } accept")
                .contains("ip saddr @allowed4 accept")
                .contains("\t\tmeta skuid { 2001, 2002 } accept\n")
                .contains("reject with tcp reset")
                .contains("type filter hook input priority filter; policy accept;")
                .contains("ip daddr 192.0.2.10 tcp dport 16001 tcp flags & (syn | ack) == syn ip saddr != @allowed4"
                        + " reject with tcp reset");
        assertThat(script.lines().filter(l -> l.contains("daddr")).toList()).as("rules name only the instance's own"
                + " address and public port").hasSize(2);
    }

    @Test
    void withoutAPublicPortThereIsNoInputChainAndAnIpv6PublicAddressUsesTheIpv6Set() {
        String privateOnly = NftablesRules.script(new NftablesRules.Target(ID, Cidr.literal("127.10.0.7"), 3306,
                Set.of(0), null, null, List.of(Cidr.parse("127.0.0.2", "c")), Set.of()));
        assertThat(privateOnly).doesNotContain("hook input").doesNotContain("elements = { 2001")
                .as("no replicas: no rule by user alone").doesNotContain("\t\tmeta skuid");
        String v6 = NftablesRules.script(new NftablesRules.Target(ID, Cidr.literal("127.10.0.7"), 3306,
                Set.of(0), Cidr.literal("2001:db8::10"), 16002, List.of(Cidr.parse("::1", "c")), Set.of()));
        assertThat(v6).contains("ip6 daddr 2001:db8:0:0:0:0:0:10 tcp dport 16002")
                .contains("ip6 saddr != @allowed6 reject");
    }

    @Test
    void onlyInstanceIdsNameTables() {
        assertThatThrownBy(() -> NftablesRules.table("x; flush ruleset")).isInstanceOf(IllegalArgumentException.class);
    }
}
