package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code jtrove manage datastore-update}, {@code datastore-list} and the {@code --tsv} listings the Puppet module's
 * providers read, on the embedded store of a fresh state directory.
 */
class DatastoreCommandsTest {
    private record Run(int exit, String out, String err) {}

    /** A state directory in the JUnit directory, which database servers' users must be able to enter. */
    private static Path state(Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        return dir.resolve("state");
    }

    private static Run manage(Path state, String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            String[] full = new String[args.length + 3];
            full[0] = "manage";
            System.arraycopy(args, 0, full, 1, args.length);
            full[args.length + 1] = "--state-dir";
            full[args.length + 2] = state.toString();
            int exit = new CommandLine(new Main()).execute(full);
            return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void registersDatastoresAndListsThemForDeploymentTools(@TempDir Path dir) throws IOException {
        Path state = state(dir);
        assertThat(manage(state, "db_sync").exit()).isZero();

        assertThat(manage(state, "datastore-update", "mysql", "--manager", "mysql").exit()).isZero();
        assertThat(manage(state, "datastore-list", "--tsv").out()).isEqualTo("mysql\tmysql\t\n");

        assertThat(manage(state, "datastore-version-update", "mysql", "10.11", "--manager", "mysql",
                "--bin-dir", "/usr/sbin", "--base-dir", "/usr").exit()).isZero();
        assertThat(manage(state, "datastore-update", "mysql", "--manager", "mysql", "--default-version", "10.11").exit())
                .isZero();
        assertThat(manage(state, "datastore-list", "--tsv").out()).isEqualTo("mysql\tmysql\t10.11\n");
        assertThat(manage(state, "datastore-version-list", "--tsv").out())
                .isEqualTo("mysql\t10.11\tmysql\t10.11\tactive\t/usr/sbin\t/usr\n");

        assertThat(manage(state, "flavor-create", "10", "db.small", "--ram", "1024", "--disk", "2").exit()).isZero();
        assertThat(manage(state, "flavor-list", "--tsv").out()).isEqualTo("10\tdb.small\t1024\t1\t2\n");
    }

    @Test
    void refusesWhatWouldBreakAnExistingDatastore(@TempDir Path dir) throws IOException {
        Path state = state(dir);
        assertThat(manage(state, "datastore-update", "pg", "--manager", "postgresql").exit()).isZero();

        Run otherManager = manage(state, "datastore-update", "pg", "--manager", "mysql");
        assertThat(otherManager.exit()).isEqualTo(1);
        assertThat(otherManager.err()).contains("exists with manager postgresql");

        Run missingVersion = manage(state, "datastore-update", "pg", "--manager", "postgresql", "--default-version", "99");
        assertThat(missingVersion.exit()).isEqualTo(1);
        assertThat(missingVersion.err()).contains("has no version 99", "datastore-version-update");

        Run unknownManager = manage(state, "datastore-update", "x", "--manager", "oracle");
        assertThat(unknownManager.exit()).isEqualTo(2);
        assertThat(unknownManager.err()).contains("no guest agent plugin for manager oracle", "postgresql");

        Run badName = manage(state, "datastore-update", "a b", "--manager", "postgresql");
        assertThat(badName.exit()).isEqualTo(2);
        assertThat(manage(state, "datastore-list", "--tsv").out()).isEqualTo("pg\tpostgresql\t\n");
    }
}
