package io.sparkgpt.trainer.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.BpeTrainer;
import io.sparkgpt.tokenizer.PreTokenizer;
import io.sparkgpt.tokenizer.TokenizerFiles;
import io.sparkgpt.trainer.PretrainJob;
import io.sparkgpt.trainer.TestTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tune job in local[2] on real text: a learning-rate grid whose winner beats the job's default, a trial equal to
 * the job run with one worker, resume without re-running, successive halving continuing from checkpoints, and
 * 2-fold cross-validation of an SFT run.
 */
class TuneJobTest {
    @TempDir
    static Path tmp;
    static Path tokens;
    static Path space;

    @BeforeAll
    static void data() throws Exception {
        System.setProperty("spark.master", "local[2]");
        tokens = tmp.resolve("tokens");
        TestTokens.writeLocally(tokens, 60_000, 2);
        space = tmp.resolve("space.json");
        Files.writeString(space, "{\"lr\": {\"log_uniform\": [3e-3, 3e-2], \"grid\": 3}}");
    }

    /** A deliberately timid default learning rate, so that the search has something to find. */
    static List<String> jobFlags(Path out) {
        return List.of("--data", tokens.toString(), "--output", out.toString(), "--n-layer", "1", "--n-head", "2",
                "--n-embd", "32", "--block-size", "32", "--batch-size", "4", "--local-steps", "4", "--max-steps", "16",
                "--warmup", "2", "--lr", "3e-4", "--eval-windows", "16", "--seed", "7", "--workers", "1");
    }

    static int tune(Path out, String... opts) {
        List<String> a = new ArrayList<>(List.of("--job", "pretrain", "--output", out.toString()));
        a.addAll(List.of(opts));
        List<String> job = new ArrayList<>(jobFlags(tmp.resolve("ignored")));
        job.subList(2, 4).clear(); // --output: the tuner's own names the search folder
        a.addAll(job);
        return Cli.execute(new TuneJob(), a.toArray(String[]::new));
    }

    static JsonNode json(Path p) throws Exception {
        return Json.mapper().readTree(Files.readString(p));
    }

    @Test
    void gridFindsABetterLearningRateResumesAndHalvingContinuesFromCheckpoints() throws Exception {
        Path out = tmp.resolve("grid");
        assertEquals(0, tune(out, "--space", space.toString()));
        Map<String, JsonNode> rec = new HashMap<>();
        for (String id : List.of("base", "t000", "t001", "t002")) {
            Path dir = out.resolve("trials").resolve(id);
            rec.put(id, json(dir.resolve("trial.json")));
            assertEquals("ok", rec.get(id).get("status").asText(), rec.get(id).toString());
            assertEquals(16, rec.get(id).get("steps").asInt());
            assertTrue(Files.exists(dir.resolve("metrics.jsonl")) && Files.exists(dir.resolve("loss.png")));
            assertTrue(Files.exists(dir.resolve("checkpoints/round-000004/_SUCCESS")));
        }
        JsonNode best = json(out.resolve("best.json"));
        double bestLr = best.get("lr").asDouble();
        assertTrue(List.of(3e-3, 9.48683e-3, 3e-2).contains(bestLr), best.toString());
        double bestLoss = rec.values().stream().mapToDouble(r -> r.get("metric").asDouble()).min().orElseThrow();
        assertTrue(rec.get("base").get("metric").asDouble() > bestLoss + 0.05,
                "the default lr 3e-4 should lose clearly: " + rec);
        byte[] png = Files.readAllBytes(out.resolve("tune.png"));
        assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G');
        Path parquet = out.resolve("trials.parquet");
        assertTrue(Files.exists(parquet.resolve("_SUCCESS")), "trials.parquet incomplete");
        try (var files = Files.list(parquet)) {
            assertEquals(1, files.filter(f -> f.getFileName().toString().endsWith(".parquet")).count());
        }

        // a trial is the job: PretrainJob with the base trial's flags and one worker ends on the same parameters
        Path job = tmp.resolve("job");
        assertEquals(0, Cli.execute(new PretrainJob(), jobFlags(job).toArray(String[]::new)));
        assertEquals(json(job.resolve("summary.json")).get("paramsSha256").asText(),
                json(out.resolve("trials/base/summary.json")).get("paramsSha256").asText());

        // re-run: nothing is trained again
        Map<String, FileTime> before = new HashMap<>();
        for (String id : rec.keySet()) {
            before.put(id, Files.getLastModifiedTime(out.resolve("trials").resolve(id).resolve("trial.json")));
        }
        assertEquals(0, tune(out, "--space", space.toString()));
        for (String id : rec.keySet()) {
            assertEquals(before.get(id), Files.getLastModifiedTime(out.resolve("trials").resolve(id)
                    .resolve("trial.json")), id + " was re-run");
        }

        // successive halving over the same grid: 4 trials at 8 steps, the best 2 continued to 16 from their
        // checkpoints - each equal to the grid's 16-step trial of the same lr (same schedule horizon)
        Path half = tmp.resolve("halving");
        assertEquals(0, tune(half, "--space", space.toString(), "--strategy", "halving", "--candidates", "grid",
                "--min-budget", "8", "--max-budget", "16", "--eta", "2"));
        int continued = 0;
        for (String id : List.of("base", "t000", "t001", "t002")) {
            JsonNode r = json(half.resolve("trials").resolve(id).resolve("trial.json"));
            if (r.get("rung").asInt() == 1) {
                continued++;
                assertEquals(16, r.get("steps").asInt());
                JsonNode s = json(half.resolve("trials").resolve(id).resolve("summary.json"));
                assertEquals(2, s.get("resumedFromRound").asInt(), id + " did not continue from its checkpoint");
                assertEquals(json(out.resolve("trials").resolve(id).resolve("summary.json")).get("paramsSha256")
                        .asText(), s.get("paramsSha256").asText(), id);
            } else {
                assertEquals(8, r.get("steps").asInt());
            }
        }
        assertEquals(2, continued);
        assertEquals(16, json(half.resolve("best.json")).get("max-steps").asInt());
    }

    @Test
    void foldsReportTrainAndHeldOutFigures() throws Exception {
        BpeTokenizer tok = new BpeTrainer(BpeTrainer.Config.of(300, PreTokenizer.GPT2))
                .train(BpeTrainer.countWords(List.of("Is 3 even? no. Is 4 even? yes. ".repeat(40)),
                        PreTokenizer.GPT2)).tokenizer();
        Path tokenizer = tmp.resolve("sft/tokenizer");
        TokenizerFiles.save(tok, tokenizer);
        GPT gpt = GPT.create(new GPTConfig(tok.vocabSize(), 32, 1, 2, 32, 0, false, true), 1);
        Checkpoint.of(gpt, TrainConfig.defaults(), 0, List.of(), Double.MAX_VALUE, 0, Map.of())
                .save(Storage.local(), tmp.resolve("sft/base/model/model.ckpt").toString());
        gpt.close();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 24; i++) {
            sb.append(String.format("{\"prompt\": \"Is %d even?\", \"completion\": \"%s\"}%n", i, i % 2 == 0 ? "yes" : "no"));
        }
        Path train = tmp.resolve("sft/train.jsonl");
        Files.writeString(train, sb.toString());
        Path out = tmp.resolve("folds");
        assertEquals(0, Cli.execute(new TuneJob(), "--job", "sft", "--folds", "2", "--output", out.toString(),
                "--init", tmp.resolve("sft/base").toString(), "--tokenizer", tokenizer.toString(), "--train",
                train.toString(), "--local-steps", "3", "--batch-size", "4", "--max-rounds", "2",
                "--lr", "3e-3", "--warmup", "2", "--max-new-tokens", "2", "--eval-generate", "4", "--seed", "5"));
        JsonNode r = json(out.resolve("folds.json"));
        assertEquals(2, r.get("folds").size());
        for (String f : List.of("train_loss", "heldout_loss", "train_accuracy", "heldout_accuracy", "heldout_f1",
                "heldout_precision", "heldout_recall")) {
            JsonNode fig = r.get("figures").get(f);
            assertTrue(fig != null && fig.get("values").size() == 2 && fig.has("std"), f + " in " + r);
        }
        assertTrue(r.get("gap_train_minus_heldout").has("loss"), r.toString());
        // both folds trained and wrote their run
        int heldOut = 0;
        for (int i = 0; i < 2; i++) {
            heldOut += json(out.resolve("trials/fold-0" + i + "/summary.json")).isObject() ? 1 : 0;
        }
        assertEquals(2, heldOut);
    }
}
