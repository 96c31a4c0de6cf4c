package io.sparkgpt.trainer;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code metrics.jsonl}: one JSON line per round. Object stores cannot append, so the whole (small) file is
 * rewritten atomically after each round; on resume the lines after the checkpoint's round are dropped, so the
 * file always tells the story of the parameters that exist.
 */
public final class MetricsLog {
    private final Storage storage;
    private final String path;
    private final List<RoundMetrics> rounds = new ArrayList<>();

    public MetricsLog(Storage storage, String path) {
        this.storage = storage;
        this.path = path;
    }

    /** Loads the lines of an earlier run up to and including {@code lastRound}. */
    public void loadUpTo(int lastRound) {
        rounds.clear();
        if (!storage.exists(path)) {
            return;
        }
        ObjectMapper m = Json.mapper();
        for (String line : storage.readString(path).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                RoundMetrics r = m.readValue(line, RoundMetrics.class);
                if (r.round() <= lastRound) {
                    rounds.add(r);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("bad line in " + path + ": " + line, e);
            }
        }
    }

    public void append(RoundMetrics r) {
        rounds.add(r);
        StringBuilder sb = new StringBuilder();
        for (RoundMetrics x : rounds) {
            sb.append(Json.writeLine(x)).append('\n');
        }
        storage.writeString(path, sb.toString());
    }

    public List<RoundMetrics> rounds() {
        return List.copyOf(rounds);
    }
}
