package io.sparkgpt.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole job in local[2]: two workers train a tiny GPT on real text; metrics, PNG, checkpoints, resume. */
class PretrainJobTest {
    @TempDir
    static Path tmp;
    static Path tokens;

    @BeforeAll
    static void tokens() throws Exception {
        System.setProperty("spark.master", "local[2]");
        tokens = tmp.resolve("tokens");
        TestTokens.writeLocally(tokens, 120_000, 2);
    }

    static List<String> args(Path out, int rounds, String... extra) {
        List<String> a = new ArrayList<>(List.of("--data", tokens.toString(), "--output", out.toString(),
                "--n-layer", "1", "--n-head", "2", "--n-embd", "32", "--block-size", "32", "--batch-size", "4",
                "--local-steps", "4", "--workers", "2", "--max-rounds", String.valueOf(rounds), "--decay-steps", "40",
                "--warmup", "4", "--lr", "3e-3", "--eval-every", "1", "--eval-windows", "32",
                "--checkpoint-every", "1", "--seed", "7"));
        a.addAll(List.of(extra));
        return a;
    }

    static int run(List<String> a) {
        return Cli.execute(new PretrainJob(), a.toArray(String[]::new));
    }

    static JsonNode summary(Path out) throws Exception {
        return Json.mapper().readTree(Files.readString(out.resolve("summary.json")));
    }

    @Test
    void trainsWritesMetricsAndChartAndResumesBitForBit() throws Exception {
        Path a = tmp.resolve("uninterrupted");
        assertEquals(0, run(args(a, 4)));
        List<String> lines = Files.readAllLines(a.resolve("metrics.jsonl"));
        assertEquals(4, lines.size());
        JsonNode first = Json.mapper().readTree(lines.get(0));
        JsonNode last = Json.mapper().readTree(lines.get(3));
        for (String f : List.of("round", "step", "tokens_seen", "train_loss", "val_loss", "lr", "tokens_per_s",
                "compute_s", "averaging_s")) {
            assertTrue(last.has(f), "metrics line lacks " + f + ": " + lines.get(3));
        }
        assertEquals(4 * 2 * 4 * 4 * 32, last.get("tokens_seen").asLong());
        assertTrue(last.get("val_loss").asDouble() < first.get("val_loss").asDouble() - 0.05,
                "validation loss did not fall: " + first.get("val_loss") + " -> " + last.get("val_loss"));
        byte[] png = Files.readAllBytes(a.resolve("loss.png"));
        assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "loss.png is not a PNG");
        assertTrue(Files.exists(a.resolve("_SUCCESS")));
        assertTrue(Files.exists(a.resolve("model/" + PretrainJob.MODEL_FILE)));
        // --keep-checkpoints 2 (default): rounds 3 and 4 remain, complete
        assertTrue(Files.exists(a.resolve("checkpoints/round-000004/_SUCCESS")));
        assertTrue(Files.exists(a.resolve("checkpoints/round-000003/_SUCCESS")));
        assertTrue(Files.notExists(a.resolve("checkpoints/round-000002")));

        // interrupted after 2 rounds, then resumed: the same parameters, bit for bit
        Path b = tmp.resolve("interrupted");
        assertEquals(0, run(args(b, 2)));
        assertEquals(2, summary(b).get("rounds").asInt());
        assertEquals(0, run(args(b, 4, "--resume")));
        JsonNode sb = summary(b);
        assertEquals(2, sb.get("resumedFromRound").asInt());
        assertEquals(summary(a).get("paramsSha256").asText(), sb.get("paramsSha256").asText());
        assertEquals(lines.stream().map(PretrainJobTest::withoutTimes).toList(),
                Files.readAllLines(b.resolve("metrics.jsonl")).stream().map(PretrainJobTest::withoutTimes).toList(),
                "metrics of the resumed run (times aside)");

        // a different seed gives different parameters (the fingerprint is not a constant)
        Path c = tmp.resolve("other-seed");
        List<String> other = args(c, 1);
        other.set(other.indexOf("--seed") + 1, "8");
        assertEquals(0, run(other));
        assertNotEquals(summary(a).get("paramsSha256").asText(), summary(c).get("paramsSha256").asText());
    }

    @Test
    void globalBatchIsSplitOverTheWorkers() throws Exception {
        // --global-batch 8 over 2 workers is --batch-size 4 per worker: the very same run
        Path perWorker = tmp.resolve("per-worker-batch");
        assertEquals(0, run(args(perWorker, 1)));
        Path global = tmp.resolve("global-batch");
        List<String> g = args(global, 1);
        int i = g.indexOf("--batch-size");
        g.set(i, "--global-batch");
        g.set(i + 1, "8");
        assertEquals(0, run(g));
        assertEquals(summary(perWorker).get("paramsSha256").asText(), summary(global).get("paramsSha256").asText());
        assertEquals(summary(perWorker).get("tokensSeen").asLong(), summary(global).get("tokensSeen").asLong());

        // 1 worker with the same global batch: 8 sequences per step, the same tokens per round
        Path one = tmp.resolve("global-batch-one-worker");
        List<String> g1 = new ArrayList<>(g);
        g1.set(g1.indexOf(global.toString()), one.toString());
        g1.set(g1.indexOf("--workers") + 1, "1");
        assertEquals(0, run(g1));
        assertEquals(summary(global).get("tokensSeen").asLong(), summary(one).get("tokensSeen").asLong());

        // not divisible by the workers, or given together with --batch-size: usage errors
        List<String> odd = new ArrayList<>(g);
        odd.set(odd.indexOf(global.toString()), tmp.resolve("odd").toString());
        odd.set(odd.indexOf("--global-batch") + 1, "7");
        assertEquals(2, run(odd));
        List<String> both = new ArrayList<>(g);
        both.set(both.indexOf(global.toString()), tmp.resolve("both").toString());
        both.addAll(List.of("--batch-size", "4"));
        assertEquals(2, run(both));
    }

    /** The metrics line without its wall-clock fields (which differ between any two runs). */
    static String withoutTimes(String line) {
        JsonNode n;
        try {
            n = Json.mapper().readTree(line);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ((com.fasterxml.jackson.databind.node.ObjectNode) n).remove(List.of("tokens_per_s", "round_s", "compute_s",
                "worker_setup_s", "averaging_s", "averaging_share", "eval_s"));
        return n.toString();
    }

    /** --init: starts from a trained model's weights with the schedule re-warmed; a missing model is exit 2. */
    @Test
    void continuesFromATrainedModel() throws Exception {
        Path base = tmp.resolve("base");
        assertEquals(0, run(args(base, 3)));
        Path cont = tmp.resolve("continued");
        assertEquals(0, run(args(cont, 1, "--init", base.toString())));
        JsonNode fresh1 = Json.mapper().readTree(Files.readAllLines(base.resolve("metrics.jsonl")).get(0));
        JsonNode fresh3 = Json.mapper().readTree(Files.readAllLines(base.resolve("metrics.jsonl")).get(2));
        JsonNode cont1 = Json.mapper().readTree(Files.readAllLines(cont.resolve("metrics.jsonl")).get(0));
        assertEquals(fresh1.get("lr").asDouble(), cont1.get("lr").asDouble(), 1e-12, "the schedule is re-warmed");
        assertTrue(cont1.get("val_loss").asDouble() < fresh1.get("val_loss").asDouble() - 0.05,
                "continued " + cont1 + " vs fresh " + fresh1);
        assertTrue(cont1.get("val_loss").asDouble() < fresh3.get("val_loss").asDouble() + 0.05,
                "continued " + cont1 + " vs the model it started from " + fresh3);
        assertEquals(0, run(args(tmp.resolve("continued-adam"), 1, "--init",
                base.resolve("model/" + PretrainJob.MODEL_FILE).toString(), "--init-optimizer")));
        assertEquals(2, run(args(tmp.resolve("no-init"), 1, "--init", tmp.resolve("nothing-here").toString())));
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(2, run(List.of("--data", tmp.resolve("missing").toString(), "--output",
                tmp.resolve("x").toString())));
        assertEquals(2, run(List.of("--data", tokens.toString(), "--output", tmp.resolve("y").toString(),
                "--bogus")));
    }
}
