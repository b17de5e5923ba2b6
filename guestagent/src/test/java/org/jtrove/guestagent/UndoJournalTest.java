package org.jtrove.guestagent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UndoJournalTest {
    @TempDir
    Path dir;

    @Test
    void eachRecordIsOnDiskAndSurvivesTheProcess() throws Exception {
        Path file = dir.resolve("sql-undo.json");
        UndoJournal journal = UndoJournal.begin(file);
        assertThat(file).doesNotExist();
        journal.record(UndoStep.dropDatabase("a"));
        journal.record(UndoStep.restorePassword("u", "%", "mysql_native_password *ABC"));
        journal.record(UndoStep.renameBack("new", "10.0.%", "old", "%"));

        // another process (the next agent boot) reads what this one recorded, latest first
        UndoJournal found = UndoJournal.pending(file).orElseThrow();
        assertThat(found.latestFirst()).containsExactly(UndoStep.renameBack("new", "10.0.%", "old", "%"),
                UndoStep.restorePassword("u", "%", "mysql_native_password *ABC"), UndoStep.dropDatabase("a"));
        assertThat(Files.readString(file)).doesNotContain("null");
        assertThat(dir.resolve("sql-undo.json.tmp")).doesNotExist();
    }

    @Test
    void forgottenStepsAreNotUndoneAgainAndDiscardRemovesTheFile() throws Exception {
        Path file = dir.resolve("sql-undo.json");
        UndoJournal journal = UndoJournal.begin(file);
        UndoStep a = UndoStep.dropUser("a", "%");
        UndoStep b = UndoStep.dropUser("b", "%");
        journal.record(a);
        journal.record(b);
        journal.forget(b);
        assertThat(UndoJournal.pending(file).orElseThrow().latestFirst()).containsExactly(a);
        journal.discard();
        assertThat(file).doesNotExist();
        assertThat(UndoJournal.pending(file)).isEmpty();
    }
}
