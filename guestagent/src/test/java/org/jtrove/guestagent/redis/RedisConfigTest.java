package org.jtrove.guestagent.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.jtrove.guestagent.InstanceContext;
import org.jtrove.model.guest.ServerBuild;
import org.junit.jupiter.api.Test;

class RedisConfigTest {
    private static final ServerBuild BUILD = new ServerBuild("redis", "7.0", "/usr/bin", "/usr", "debian");

    @Test
    void configBindsTheInstanceAndSizesMemoryFromTheFlavor() {
        InstanceContext ctx = new InstanceContext("i1", BUILD, "127.0.3.4", 1024, Path.of("/state/instances/i1"));
        String conf = RedisConfig.render(ctx, 6379);
        assertThat(conf.lines()).contains("bind 127.0.3.4", "port 6379", "daemonize no",
                "dir /state/instances/i1/data", "aclfile /state/instances/i1/data/users.acl",
                "maxmemory 768mb", "appendonly yes", "set-proc-title no");
        assertThat(conf).doesNotContain("unixsocket", "requirepass");
        InstanceContext small = new InstanceContext("i1", BUILD, "127.0.3.4", 512, Path.of("/state/instances/i1"));
        assertThat(RedisConfig.render(small, 6379).lines()).contains("maxmemory 384mb");
    }

    @Test
    void aclFileKeepsOnlyAHashOfTheAdminPassword() {
        String acl = RedisConfig.initialAcl("s3cret-admin");
        assertThat(acl).contains("user os_admin on " + RedisConfig.hashed("s3cret-admin") + " ~* &* +@all")
                .doesNotContain("s3cret-admin")
                .contains("user default on nopass ~* &* +@all -@admin");
        assertThat(RedisConfig.hashed("abc"))
                .isEqualTo("#ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void rootRulesSetAndClearTheDefaultUsersPassword() {
        assertThat(RedisConfig.rootEnabled("pw")).contains(RedisConfig.hashed("pw"), "+@all", "resetpass")
                .doesNotContain("nopass", "pw", "-@admin");
        assertThat(RedisConfig.rootDisabled()).contains("resetpass", "nopass", "-@admin");
    }
}
