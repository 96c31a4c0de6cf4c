package io.sparkgpt.trainer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.common.stats.CorpusProfile;
import io.sparkgpt.common.stats.JobStats;
import io.sparkgpt.common.stats.StepStats;
import io.sparkgpt.spark.testing.Scripts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The committed report notebooks ({@code notebooks/run.sh} executes them on the demo's outputs): every code cell ran
 * without error and each shows a plot; and every field they require of a job's JSON ({@code need(..., [keys], ...)})
 * is still one the jobs write (the records behind stats.json, profile.json, metrics.jsonl and summary.json), so a
 * change of format fails here, not only when the notebooks are next run.
 */
class NotebooksTest {
    static final List<String> NOTEBOOKS = List.of("corpus-report", "training-report", "checkpoint-report");
    /** The dedup step's counters the corpus report reads (written by data-pipeline's Deduplicator). */
    static final Set<String> DEDUP_COUNTERS = Set.of("candidate_pairs", "verified_pairs", "clusters",
            "largest_cluster");

    @Test
    void committedNotebooksRanAndReadFieldsTheJobsWrite() throws Exception {
        Set<String> written = new HashSet<>(DEDUP_COUNTERS);
        written.addAll(keys(Json.mapper().readTree(Json.writeLine(new RoundMetrics(1, 2, 3, 4, 5.0, 6, 7, 8, 9, 10,
                11, 0.5, 12.0, 2, Map.of("exact_match", 0.5))))));
        written.addAll(keys(Json.mapper().readTree(Json.writeLine(new DistributedTrainer.Summary(1, 2, 3, 4.0, 5.0,
                5.0, false, -1, "x", 1, 1, 0.1, "val_loss", Map.of("val_loss", 5.0))))));
        StepStats step = new StepStats("s", 1, 1, 1, 1, Map.of(), Map.of(), 1);
        written.addAll(keys(Json.mapper().readTree(Json.writeLine(step))));
        written.addAll(keys(Json.mapper().readTree(Json.writeLine(new JobStats("j", List.of(), List.of(step),
                Map.of(), 1)))));
        // inspect --profile (data-pipeline's CorpusProfiler writes this record), with its bins and signals
        CorpusProfile.Bin bin = new CorpusProfile.Bin(0.0, 1, 1);
        CorpusProfile.Signal signal = new CorpusProfile.Signal(1, 0, List.of(bin));
        written.addAll(keys(Json.mapper().readTree(Json.writeLine(new CorpusProfile("x", 1, List.of(bin),
                List.of(bin), Map.of("s", signal), Map.of("en", 1L))))));
        written.addAll(keys(Json.mapper().readTree(Json.writeLine(bin))));
        written.addAll(keys(Json.mapper().readTree(Json.writeLine(signal))));
        written.add("dedup"); // a step name of preprocess' recipe
        Pattern need = Pattern.compile("need\\([^\\[\\n]*\\[((?:\\s*\"[^\"]*\"\\s*,?)+)\\]");
        for (String name : NOTEBOOKS) {
            Path p = Scripts.projectRoot().resolve("notebooks").resolve(name + ".ipynb");
            JsonNode nb = Json.mapper().readTree(Files.readString(p));
            int images = 0;
            for (JsonNode cell : nb.get("cells")) {
                if (!"code".equals(cell.get("cell_type").asText())) {
                    continue;
                }
                assertFalse(cell.get("execution_count").isNull(), name + ": a cell was not executed");
                for (JsonNode out : cell.get("outputs")) {
                    assertFalse("error".equals(out.path("output_type").asText()), name + ": " + out);
                    if (out.path("data").has("image/png")) {
                        images++;
                    }
                }
                Matcher m = need.matcher(String.join("", iterable(cell.get("source"))));
                while (m.find()) {
                    for (String k : m.group(1).split(",")) {
                        String key = k.trim().replace("\"", "");
                        if (!key.isEmpty()) {
                            assertTrue(written.contains(key), name + " needs '" + key + "', which no job writes "
                                    + "any more: update the notebook (and run notebooks/run.sh)");
                        }
                    }
                }
            }
            assertTrue(images > 0, name + " shows no plot");
        }
        assertNotNull(written);
    }

    static Set<String> keys(JsonNode n) {
        Set<String> s = new HashSet<>();
        n.fieldNames().forEachRemaining(s::add);
        return s;
    }

    static Iterable<String> iterable(JsonNode source) {
        if (source.isTextual()) {
            return List.of(source.asText());
        }
        List<String> lines = new java.util.ArrayList<>();
        for (Iterator<JsonNode> it = source.elements(); it.hasNext(); ) {
            lines.add(it.next().asText());
        }
        return lines;
    }
}
