package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's configuration table is the one {@code jtrove config-keys --markdown} prints. */
class ReadmeConfigTableTest {
    @Test
    void readmeListsEveryKeyAsTheCodeDeclaresIt() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        assertThat(readme).as("README.md's table; regenerate it with bin/jtrove config-keys --markdown")
                .contains(ConfigKeysCommand.markdownTable());
    }
}
