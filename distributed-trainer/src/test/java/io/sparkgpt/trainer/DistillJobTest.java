package io.sparkgpt.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.trainer.distill.DistillJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Distillation in local[2]: a teacher pretrained by PretrainJob, a smaller student trained on its logits by
 * DistillJob with the same engine (metrics, checkpoints, model). The from-scratch comparison is bench/distill.sh.
 */
class DistillJobTest {
    @TempDir
    static Path tmp;

    static List<String> common(Path tokens, Path out, String layers, String embd, int rounds) {
        return new ArrayList<>(List.of("--data", tokens.toString(), "--output", out.toString(), "--n-layer", layers,
                "--n-head", "2", "--n-embd", embd, "--block-size", "32", "--batch-size", "4", "--local-steps", "4",
                "--workers", "2", "--max-rounds", String.valueOf(rounds), "--decay-steps", "40", "--warmup", "4",
                "--lr", "3e-3", "--eval-every", "1", "--eval-windows", "32", "--checkpoint-every", "2", "--seed", "7"));
    }

    @Test
    void studentLearnsFromTheTeacherOnTheCluster() throws Exception {
        System.setProperty("spark.master", "local[2]");
        Path tokens = tmp.resolve("tokens");
        TestTokens.writeLocally(tokens, 60_000, 2);
        Path teacher = tmp.resolve("teacher");
        assertEquals(0, Cli.execute(new PretrainJob(), common(tokens, teacher, "2", "48", 4).toArray(String[]::new)));
        String tck = teacher.resolve("model/" + PretrainJob.MODEL_FILE).toString();

        Path student = tmp.resolve("student");
        List<String> a = common(tokens, student, "1", "16", 3);
        a.addAll(List.of("--teacher", tck, "--temperature", "2", "--alpha", "0.5"));
        assertEquals(0, Cli.execute(new DistillJob(), a.toArray(String[]::new)));
        List<String> lines = Files.readAllLines(student.resolve("metrics.jsonl"));
        assertEquals(3, lines.size());
        JsonNode first = Json.mapper().readTree(lines.get(0)), last = Json.mapper().readTree(lines.get(2));
        assertTrue(last.get("val_loss").asDouble() < first.get("val_loss").asDouble(),
                "student validation loss falls: " + first + " -> " + last);
        assertTrue(Files.exists(student.resolve("_SUCCESS")));
        Checkpoint sc = Checkpoint.load(Storage.local(), student.resolve("model/" + PretrainJob.MODEL_FILE).toString());
        assertEquals(16, sc.config().nEmbd());
        assertEquals(tck, sc.meta().get("teacher"));
        JsonNode runJson = Json.mapper().readTree(Files.readString(student.resolve("run.json")));
        assertEquals("distill", runJson.get("job").asText());

        // bad input: a missing teacher is one line and exit code 2
        List<String> bad = common(tokens, tmp.resolve("bad"), "1", "16", 1);
        bad.addAll(List.of("--teacher", tmp.resolve("none.ckpt").toString()));
        assertEquals(2, Cli.execute(new DistillJob(), bad.toArray(String[]::new)));
    }
}
