package io.sparkgpt.trainer.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.trainer.align.AlignTestData;
import io.sparkgpt.trainer.align.DpoJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tuner on the alignment jobs in local[2], on the align tests' tiny data: each trial is the job's own run with
 * one worker (DPO: the job run with best.json as --config ends on the winner's parameters), the metric is the job's
 * held-out figure (accuracy maximised; PPO: a chosen figure minimised), and a re-run trains nothing again;
 * reward-model halving continues in --max-rounds.
 */
class AlignTuneTest {
    @TempDir
    static Path tmp;
    static AlignTestData.Inputs inputs;

    @BeforeAll
    static void data() throws Exception {
        inputs = AlignTestData.forLocalJobs(tmp);
    }

    /** The job's flags (one worker: a trial's), without --output. */
    static List<String> jobFlags(Path data, String... extra) {
        List<String> a = new ArrayList<>(List.of("--data", data.toString(), "--tokenizer",
                tmp.resolve("tokenizer").toString(), "--init", tmp.resolve("init.ckpt").toString(), "--workers", "1",
                "--max-rounds", "2", "--local-steps", "1", "--batch-size", "4", "--lr", "3e-3", "--val-percent", "25",
                "--seed", "7"));
        a.addAll(List.of(extra));
        return a;
    }

    static int tune(String job, Path out, Path space, List<String> jobFlags, String... opts) {
        List<String> a = new ArrayList<>(List.of("--job", job, "--output", out.toString(), "--space",
                space.toString(), "--no-baseline"));
        a.addAll(List.of(opts));
        a.addAll(jobFlags);
        return Cli.execute(new TuneJob(), a.toArray(String[]::new));
    }

    static Path space(String name, String json) throws Exception {
        return Files.writeString(tmp.resolve(name + ".json"), json);
    }

    static JsonNode json(Path p) throws Exception {
        return Json.mapper().readTree(Files.readString(p));
    }

    /** The trials' records by id; every one finished, on {@code metric}. */
    static Map<String, JsonNode> trials(Path out, String metric, int n) throws Exception {
        Map<String, JsonNode> rec = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String id = String.format("t%03d", i);
            JsonNode r = json(out.resolve("trials").resolve(id).resolve("trial.json"));
            assertEquals("ok", r.get("status").asText(), r.toString());
            assertEquals(metric, r.get("metricName").asText(), r.toString());
            assertTrue(Files.exists(out.resolve("trials").resolve(id).resolve("model/model.ckpt")), id);
            rec.put(id, r);
        }
        return rec;
    }

    /** The trial best.json should name: the best metric in the direction given (ties: the first id). */
    static JsonNode winner(Map<String, JsonNode> rec, boolean higherIsBetter) {
        Comparator<Map.Entry<String, JsonNode>> byMetric =
                Comparator.comparingDouble(e -> e.getValue().get("metric").asDouble());
        return rec.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .max(higherIsBetter ? byMetric : byMetric.reversed()).orElseThrow().getValue();
    }

    @Test
    void dpoTrialIsTheJobBestJsonIsItsConfigAndResumeRunsNothing() throws Exception {
        Path out = tmp.resolve("dpo");
        Path space = space("dpo-space", "{\"beta\": {\"choice\": [0.1, 1.0]}, \"weight-decay\": {\"choice\": [0.0]}}");
        assertEquals(0, tune("dpo", out, space, jobFlags(inputs.prefs())));
        Map<String, JsonNode> rec = trials(out, "val_accuracy", 2);
        JsonNode best = json(out.resolve("best.json"));
        JsonNode winner = winner(rec, true);
        assertEquals(winner.get("params").get("beta").asDouble(), best.get("beta").asDouble(), best + " " + rec);
        String winnerId = winner.get("id").asText();

        // the job with best.json as --config (and one worker) is the winning trial: the same final parameters
        Path job = tmp.resolve("dpo-job");
        List<String> a = jobFlags(inputs.prefs(), "--output", job.toString(), "--config",
                out.resolve("best.json").toString());
        assertEquals(0, Cli.execute(new DpoJob(), a.toArray(String[]::new)));
        assertEquals(json(out.resolve("trials").resolve(winnerId).resolve("summary.json")).get("paramsSha256")
                .asText(), json(job.resolve("summary.json")).get("paramsSha256").asText());

        // re-run: nothing is trained again
        Map<String, FileTime> before = new HashMap<>();
        for (String id : rec.keySet()) {
            before.put(id, Files.getLastModifiedTime(out.resolve("trials").resolve(id).resolve("trial.json")));
        }
        assertEquals(0, tune("dpo", out, space, jobFlags(inputs.prefs())));
        for (String id : rec.keySet()) {
            assertEquals(before.get(id), Files.getLastModifiedTime(out.resolve("trials").resolve(id)
                    .resolve("trial.json")), id + " was re-run");
        }
    }

    @Test
    void rewardHalvingContinuesInRounds() throws Exception {
        Path out = tmp.resolve("reward");
        Path space = space("reward-space", "{\"lr\": {\"log_uniform\": [1e-3, 1e-2], \"grid\": 2}}");
        assertEquals(0, tune("train-reward", out, space, jobFlags(inputs.prefs()), "--strategy", "halving",
                "--candidates", "grid", "--min-budget", "1", "--max-budget", "2", "--eta", "2"));
        Map<String, JsonNode> rec = trials(out, "val_accuracy", 2);
        int continued = 0;
        double promoted = 0;
        double dropped = 0;
        for (JsonNode r : rec.values()) {
            // the first rung's held-out accuracy: the first line of the trial's metrics
            double first = Json.mapper().readTree(Files.readAllLines(out.resolve("trials")
                    .resolve(r.get("id").asText()).resolve("metrics.jsonl")).get(0)).get("metrics")
                    .get("val_accuracy").asDouble();
            if (r.get("rung").asInt() == 1) {
                promoted = first;
                continued++;
                assertEquals(2, r.get("steps").asInt(), r.toString());
                JsonNode s = json(out.resolve("trials").resolve(r.get("id").asText()).resolve("summary.json"));
                assertEquals(1, s.get("resumedFromRound").asInt(), "did not continue from its checkpoint: " + s);
            } else {
                dropped = first;
                assertEquals(1, r.get("steps").asInt(), r.toString());
            }
        }
        assertEquals(1, continued);
        assertTrue(promoted >= dropped, "accuracy is maximised: promoted " + promoted + ", dropped " + dropped);
        JsonNode best = json(out.resolve("best.json"));
        assertEquals(2, best.get("max-rounds").asInt(), best.toString());
        assertTrue(Files.exists(out.resolve("trials/t000/data-stats.json")));
    }

    /** PPO ranked by a figure the user names against its name's direction: KL to the reference, minimised. */
    @Test
    void ppoSearchesTheKlCoefficientOnAChosenFigure() throws Exception {
        Path out = tmp.resolve("ppo");
        Path space = space("ppo-space", "{\"kl-coef\": {\"choice\": [0.01, 0.5]}}");
        assertEquals(0, tune("ppo", out, space, jobFlags(inputs.arith(), "--max-new-tokens", "3", "--ppo-epochs", "1",
                "--early-stop-metric", "min:val_kl")));
        Map<String, JsonNode> rec = trials(out, "min:val_kl", 2);
        for (JsonNode r : rec.values()) {
            assertTrue(r.get("figures").has("val_reward"), r.toString());
        }
        assertEquals(winner(rec, false).get("params").get("kl-coef").asDouble(),
                json(out.resolve("best.json")).get("kl-coef").asDouble(), rec.toString());
    }

    @Test
    void foldsAndUnknownJobsAreUsageErrors() throws Exception {
        Path space = space("bad-space", "{\"lr\": {\"choice\": [0.001]}}");
        assertEquals(Cli.EXIT_USAGE, tune("rlhf", tmp.resolve("bad"), space, jobFlags(inputs.prefs())));
        List<String> a = new ArrayList<>(List.of("--job", "dpo", "--folds", "2", "--output",
                tmp.resolve("bad-folds").toString()));
        a.addAll(jobFlags(inputs.prefs()));
        assertEquals(Cli.EXIT_USAGE, Cli.execute(new TuneJob(), a.toArray(String[]::new)));
    }
}
