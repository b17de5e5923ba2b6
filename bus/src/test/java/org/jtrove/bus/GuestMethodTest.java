package org.jtrove.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.EnumSet;
import org.jtrove.model.JtroveException;
import org.junit.jupiter.api.Test;

class GuestMethodTest {
    @Test
    void everyMethodIsFoundByItsWireName() {
        for (GuestMethod m : GuestMethod.values()) {
            assertThat(GuestMethod.of(m.wireName())).isSameAs(m);
        }
        assertThat(Arrays.stream(GuestMethod.values()).map(GuestMethod::wireName).distinct())
                .hasSize(GuestMethod.values().length);
    }

    @Test
    void anUnknownMethodIsRefusedWith501() {
        assertThatThrownBy(() -> GuestMethod.of("drop_everything"))
                .isInstanceOfSatisfying(JtroveException.class, e -> assertThat(e.status()).isEqualTo(501))
                .hasMessageContaining("drop_everything");
    }

    @Test
    void onlyTheLongOperationsAreCasts() {
        EnumSet<GuestMethod> casts = EnumSet.noneOf(GuestMethod.class);
        Arrays.stream(GuestMethod.values()).filter(m -> !m.call()).forEach(casts::add);
        assertThat(casts).containsExactlyInAnyOrder(GuestMethod.PREPARE, GuestMethod.RESTART, GuestMethod.RESIZE,
                GuestMethod.APPLY_CONFIGURATION, GuestMethod.CREATE_BACKUP, GuestMethod.PREPARE_REPLICA,
                GuestMethod.REBUILD_REPLICA, GuestMethod.FENCE_SERVER, GuestMethod.REWIND_REPLICA);
        assertThat(GuestMethod.GET_VOLUME_INFO.timeout()).hasSeconds(3);
    }
}
