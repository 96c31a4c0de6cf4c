package io.sparkgpt.trainer.posttrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.spark.testing.LocalCluster;
import io.sparkgpt.spark.testing.Scripts;
import io.sparkgpt.spark.testing.SharedLocalCluster;
import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.BpeTrainer;
import io.sparkgpt.tokenizer.PreTokenizer;
import io.sparkgpt.tokenizer.TokenizerFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sft.sh} and {@code evaluate.sh} with the shaded job jar on a real standalone cluster (Master + 2 Workers):
 * SFT from a saved base model over 2 executors, interrupted after one round and resumed to the same parameters as
 * the uninterrupted run; the evaluation of the result prints its figure lines.
 */
@ExtendWith(SharedLocalCluster.class)
class SftClusterIT {
    static final Duration LIMIT = Duration.ofMinutes(15);
    @TempDir
    static Path tmp;
    static LocalCluster cluster;
    static Path jar;

    @BeforeAll
    static void setUp(LocalCluster shared) throws Exception {
        BpeTokenizer tok = new BpeTrainer(BpeTrainer.Config.of(300, PreTokenizer.GPT2))
                .train(BpeTrainer.countWords(List.of("What is 3 + 4? 7. the cat sat on the mat. ".repeat(40)),
                        PreTokenizer.GPT2)).tokenizer();
        TokenizerFiles.save(tok, tmp.resolve("tokenizer"));
        GPT gpt = GPT.create(new GPTConfig(tok.vocabSize(), 32, 1, 2, 32, 0, false, true), 1);
        Checkpoint.of(gpt, TrainConfig.defaults(), 0, List.of(), Double.MAX_VALUE, 0, Map.of())
                .save(Storage.local(), tmp.resolve("base/model/model.ckpt").toString());
        gpt.close();
        Files.writeString(tmp.resolve("train.jsonl"), SftJobTest.arithmetic(40, 1) + "not json\n");
        Files.writeString(tmp.resolve("val.jsonl"), SftJobTest.arithmetic(8, 3));
        Path built = Scripts.jobJar("distributed-trainer");
        jar = Files.copy(built, Files.createDirectories(tmp.resolve("jars")).resolve(built.getFileName()));
        cluster = shared;
    }

    static Scripts.Result sft(Path out, int rounds, String... extra) {
        List<String> a = new ArrayList<>(List.of("--master", cluster.masterUrl(), "--executor-memory", "768m", "--",
                "--init", tmp.resolve("base").toString(), "--tokenizer", tmp.resolve("tokenizer").toString(),
                "--train", tmp.resolve("train.jsonl").toString(), "--val", tmp.resolve("val.jsonl").toString(),
                "--output", out.toString(), "--workers", "2", "--local-steps", "3", "--batch-size", "4",
                "--max-rounds", String.valueOf(rounds), "--decay-steps", "6", "--lr", "3e-3", "--warmup", "2",
                "--checkpoint-every", "1", "--eval-generate", "4", "--max-new-tokens", "3", "--seed", "9"));
        a.addAll(List.of(extra));
        return Scripts.run(Scripts.script("sft.sh"), a, Map.of("SPARKGPT_JARS", jar.getParent().toString()), LIMIT);
    }

    static JsonNode summary(Path run) throws Exception {
        return Json.mapper().readTree(Files.readString(run.resolve("summary.json")));
    }

    @Test
    void sftOnTwoExecutorsResumesBitForBitAndEvaluates() throws Exception {
        Path a = tmp.resolve("a");
        Scripts.Result ra = sft(a, 2);
        assertEquals(0, ra.exitCode(), ra.stdout() + ra.stderr());
        assertTrue(ra.stderr().contains("train.jsonl:41: not_json"), ra.stderr());
        Path b = tmp.resolve("b");
        Scripts.Result rb = sft(b, 1);
        assertEquals(0, rb.exitCode(), rb.stdout() + rb.stderr());
        Scripts.Result rb2 = sft(b, 2, "--resume");
        assertEquals(0, rb2.exitCode(), rb2.stdout() + rb2.stderr());
        assertEquals(1, summary(b).get("resumedFromRound").asInt());
        assertEquals(summary(a).get("paramsSha256").asText(), summary(b).get("paramsSha256").asText());

        Scripts.Result ev = Scripts.run(Scripts.script("evaluate.sh"), List.of("--model", a.toString(),
                "--exact-match", tmp.resolve("val.jsonl").toString(), "--max-new-tokens", "3"),
                Map.of("SPARKGPT_JARS", jar.getParent().toString()), LIMIT);
        assertEquals(0, ev.exitCode(), ev.stdout() + ev.stderr());
        assertTrue(ev.stdout().contains("figure exact_match "), ev.stdout());
        assertTrue(Files.exists(a.resolve("eval.json")));
    }
}
