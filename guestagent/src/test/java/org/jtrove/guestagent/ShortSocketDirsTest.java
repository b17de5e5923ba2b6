package org.jtrove.guestagent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A deep instance's socket directory is short, its own, and goes with the instance. */
class ShortSocketDirsTest {
    @Test
    void theDirectoryIsShortPerInstanceAndRemovedWithIt() throws Exception {
        String id = "7d0c8f52-2b1e-4c43-9d6a-5f3e1c2b4a69";
        Path deep = Path.of("/tmp/jtrove-some-test-1234567890123456789/state/instances", id);
        Path dir = ShortSocketDirs.of(id, deep);
        assertThat(dir.resolve("mysqld.sock").toString().length()).isLessThanOrEqualTo(107);
        assertThat(dir).isNotEqualTo(ShortSocketDirs.of(id, Path.of("/elsewhere", id)));
        assertThat(dir.getFileName().toString()).startsWith(id);

        Files.createDirectories(dir);
        Files.writeString(dir.resolve("mysqld.sock"), "");
        ShortSocketDirs.remove(id, deep);
        assertThat(dir).doesNotExist();
        ShortSocketDirs.remove(id, deep);   // safe to repeat
    }
}
