package org.jtrove.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

    @ParameterizedTest
    @CsvSource({
            "10.0.0.0/8, 10.0.0.0/8, false",
            "127.0.0.2, 127.0.0.2/32, false",
            "0.0.0.0/0, 0.0.0.0/0, false",
            "203.0.113.7/32, 203.0.113.7/32, false",
            "2001:DB8::/32, 2001:db8:0:0:0:0:0:0/32, true",
            "::1, 0:0:0:0:0:0:0:1/128, true",
            "::/0, 0:0:0:0:0:0:0:0/0, true"})
    void networksAndSingleAddressesParse(String text, String canonical, boolean ipv6) {
        Cidr c = Cidr.parse(text, "allowed_cidrs");
        assertThat(c.canonical()).isEqualTo(canonical);
        assertThat(c.isIpv6()).isEqualTo(ipv6);
        assertThat(c.text()).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost", "example.com", "01.2.3.4", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4/33",
            "1.2.3.4/08", "1.2.3.4/", "1.2.3.4/-1", "/24", "1::2::3", "fe80::1%eth0", "::ffff:1.2.3.4", "10.0.0.1/8",
            "2001:db8::1/32", " 10.0.0.0/8", "10.0.0.0/8 ", "0x7f.0.0.1", "2130706433", "::/129", "10.0.0.0/8,1.2.3.4"})
    void anythingElseIsA400(String text) {
        assertThatThrownBy(() -> Cidr.parse(text, "allowed_cidrs")).isInstanceOfSatisfying(JtroveException.class,
                e -> assertThat(e.status()).isEqualTo(400));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1/8", "2001:db8::1/32"})
    void hostBitsGetTheNetworkSuggested(String text) {
        assertThatThrownBy(() -> Cidr.parse(text, "allowed_cidrs")).hasMessageContaining("did you mean");
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "example.com", "1.2.3", "2130706433"})
    void namesAndOddFormsAreNeverResolved(String text) {
        assertThat(Cidr.literal(text)).isNull();
    }
}
