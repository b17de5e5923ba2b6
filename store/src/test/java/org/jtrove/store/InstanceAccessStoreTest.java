package org.jtrove.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jtrove.model.InstanceAccess;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.TaskType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An instance's access is recorded with its row at create; public ports are unique among instances. */
class InstanceAccessStoreTest {
    @TempDir
    Path dir;
    private MetadataStore store;
    private DatastoreVersionRecord version;

    @BeforeEach
    void setUp() {
        store = MetadataStore.embedded(dir);
        DatastoreRecord ds = store.datastores.upsertDatastore("postgresql", "postgresql");
        version = store.datastores.upsertVersion(ds.id(), "15", "15", "postgresql", true, "debian",
                "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/15");
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private InstanceRecord insert(InstanceAccess access) {
        Instant now = Instant.now();
        InstanceRecord i = new InstanceRecord(UUID.randomUUID().toString(), "p1", "i", "1", version.id(), 1, null, null,
                InstanceTask.BUILDING.name(), null, null, now, now, false, null);
        store.instances.insertWithTask(i, TaskRecord.start(TaskType.CREATE, i.id(), Map.of()), (u, w) -> { }, Map.of(),
                null, access);
        return i;
    }

    @Test
    void accessIsRecordedAtCreateAndReplacedByAnUpdate() {
        InstanceAccess wanted = new InstanceAccess(true, List.of("10.0.0.0/8", "2001:db8::/32"));
        InstanceRecord i = insert(wanted);
        assertThat(store.instances.access(i.id())).isEqualTo(wanted);
        store.instances.setAccess(i.id(), InstanceAccess.DEFAULT);
        assertThat(store.instances.access(i.id())).isEqualTo(InstanceAccess.DEFAULT);
        assertThat(store.instances.access("no-such-instance")).isEqualTo(InstanceAccess.DEFAULT);
    }

    @Test
    void aPublicPortBelongsToOneInstance() {
        InstanceRecord a = insert(InstanceAccess.DEFAULT);
        InstanceRecord b = insert(InstanceAccess.DEFAULT);
        assertThat(store.instances.publicPort(a.id())).isNull();
        store.instances.setPublicPort(a.id(), 16000);
        assertThat(store.instances.publicPort(a.id())).isEqualTo(16000);
        assertThat(store.instances.usedPublicPorts()).containsExactly(16000);
        assertThatThrownBy(() -> store.instances.setPublicPort(b.id(), 16000)).isInstanceOf(RuntimeException.class);
        store.instances.setPublicPort(a.id(), null);
        store.instances.setPublicPort(b.id(), 16000);
        assertThat(store.instances.usedPublicPorts()).containsExactly(16000);
    }
}
