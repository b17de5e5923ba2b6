package org.jtrove.guestagent;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.jtrove.model.Json;

/**
 * The undo record of the one multi-item SQL request a guest agent is applying, in a file of its own directory.
 * Each {@link #record} is on disk (written beside, fsynced, renamed, directory fsynced) before the change it
 * undoes runs, so a kill -9 at any moment leaves a journal from which the next agent boot takes back whatever the
 * request had done. A request that succeeds {@link #discard}s it.
 */
public final class UndoJournal {
    private static final TypeReference<List<UndoStep>> STEPS = new TypeReference<>() {};
    private final Path file;
    private final List<UndoStep> steps = new ArrayList<>();

    private UndoJournal(Path file, List<UndoStep> steps) {
        this.file = file;
        this.steps.addAll(steps);
    }

    /** A new, empty journal for one request; nothing is written until the first step is recorded. */
    static UndoJournal begin(Path file) {
        return new UndoJournal(file, List.of());
    }

    /** The journal a killed agent left behind, if any. */
    static Optional<UndoJournal> pending(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(new UndoJournal(file,
                Json.MAPPER.readValue(Files.readString(file, StandardCharsets.UTF_8), STEPS)));
    }

    /** Writes {@code step} durably; call it before making the change it undoes. */
    public void record(UndoStep step) throws IOException {
        steps.add(step);
        write();
    }

    /** The recorded steps, latest first: the order to undo them in. */
    List<UndoStep> latestFirst() {
        List<UndoStep> out = new ArrayList<>(steps);
        Collections.reverse(out);
        return out;
    }

    /** Forgets the journal (its request was applied whole, or undone). */
    void discard() throws IOException {
        steps.clear();
        if (Files.deleteIfExists(file)) {
            syncDirectory();
        }
    }

    /** Drops a step that needs no undo any more (its change was undone, or never happened). */
    public void forget(UndoStep step) throws IOException {
        steps.remove(step);
        write();
    }

    private void write() throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(Json.write(steps).getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory();
    }

    private void syncDirectory() throws IOException {
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}
