package io.sparkgpt.model;

import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A run's {@code metrics.jsonl} as the single-machine loops ({@link TrainLoop}, {@code align.AlignLoop}) keep it: one
 * JSON object a line, rewritten whole with each checkpoint, and cut back to the checkpoint's step on resume so that a
 * resumed run's file is the uninterrupted run's.
 */
public final class MetricsFile {
    public static final String NAME = "metrics.jsonl";

    private MetricsFile() {}

    /** The lines of {@code dir}'s metrics file whose {@code step} is at most {@code step} (none if no file). */
    public static List<String> linesUpTo(Storage storage, String dir, long step) {
        List<String> out = new ArrayList<>();
        String path = Storage.child(dir, NAME);
        if (dir != null && storage.exists(path)) {
            for (String line : storage.readString(path).split("\n")) {
                if (!line.isBlank()) {
                    Object s = Json.read(line, Map.class).get("step");
                    if (s instanceof Number n && n.longValue() <= step) {
                        out.add(line);
                    }
                }
            }
        }
        return out;
    }

    /** Replaces {@code dir}'s metrics file by {@code lines}, atomically (a reader never sees half a file). */
    public static void write(Storage storage, String dir, List<String> lines) {
        storage.writeAtomically(Storage.child(dir, NAME),
                (String.join("\n", lines) + (lines.isEmpty() ? "" : "\n")).getBytes(StandardCharsets.UTF_8));
    }
}
