package io.sparkgpt.trainer.posttrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import io.sparkgpt.tokenizer.chat.ChatTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SFT job in local[2] from a saved base model: bad lines named and counted while the job finishes, the model
 * grown by the chat tokens, metrics/PNG/checkpoints in pretraining's layout, early stopping on exact match, and the
 * resume bit for bit.
 */
class SftJobTest {
    @TempDir
    static Path tmp;
    static Path tokenizer;
    static Path base;
    static Path train;
    static Path val;
    static int baseVocab;

    /** Arithmetic in chat form, prompt/completion and messages records mixed. */
    static String arithmetic(int n, long seed) {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int a = r.nextInt(10);
            int b = r.nextInt(10);
            if (i % 2 == 0) {
                sb.append(String.format("{\"prompt\": \"What is %d + %d?\", \"completion\": \"%d\"}%n", a, b, a + b));
            } else {
                sb.append(String.format("{\"messages\": [{\"role\": \"user\", \"content\": \"What is %d + %d?\"}, "
                        + "{\"role\": \"assistant\", \"content\": \"%d\"}]}%n", a, b, a + b));
            }
        }
        return sb.toString();
    }

    @BeforeAll
    static void setUp() throws Exception {
        System.setProperty("spark.master", "local[2]");
        BpeTokenizer tok = new BpeTrainer(BpeTrainer.Config.of(300, PreTokenizer.GPT2))
                .train(BpeTrainer.countWords(List.of("What is 3 + 4? 7. the cat sat on the mat. ".repeat(40)),
                        PreTokenizer.GPT2)).tokenizer();
        baseVocab = tok.vocabSize();
        tokenizer = tmp.resolve("tokenizer");
        TokenizerFiles.save(tok, tokenizer);
        GPT gpt = GPT.create(new GPTConfig(tok.vocabSize(), 32, 1, 2, 32, 0, false, true), 1);
        base = tmp.resolve("base/model/model.ckpt");
        Checkpoint.of(gpt, TrainConfig.defaults(), 0, List.of(), Double.MAX_VALUE, 0, Map.of())
                .save(Storage.local(), base.toString());
        gpt.close();
        train = tmp.resolve("train.jsonl");
        String bad = String.join("\n",
                "this line is not json",
                "{\"prompt\": \"What is 1 + 1?\"}",
                "{\"messages\": []}",
                "{\"messages\": [{\"role\": \"oracle\", \"content\": \"x\"}, {\"role\": \"assistant\", \"content\": \"y\"}]}",
                "{\"prompt\": \"" + "the cat sat on the mat. ".repeat(12) + "\", \"completion\": \"7\"}") + "\n";
        Files.writeString(train, arithmetic(30, 1) + bad + arithmetic(30, 2));
        val = tmp.resolve("val.jsonl");
        Files.writeString(val, arithmetic(16, 3));
    }

    static List<String> args(Path out, int rounds, String... extra) {
        List<String> a = new ArrayList<>(List.of("--init", tmp.resolve("base").toString(), "--tokenizer",
                tokenizer.toString(), "--train", train.toString(), "--val", val.toString(), "--output", out.toString(),
                "--workers", "2", "--local-steps", "3", "--batch-size", "4", "--max-rounds", String.valueOf(rounds),
                "--lr", "3e-3", "--warmup", "2", "--decay-steps", "6", "--checkpoint-every", "1", "--eval-generate", "4",
                "--max-new-tokens", "4", "--seed", "5"));
        a.addAll(List.of(extra));
        return a;
    }

    static int run(List<String> a) {
        return Cli.execute(new SftJob(), a.toArray(String[]::new));
    }

    static JsonNode json(Path p) throws Exception {
        return Json.mapper().readTree(Files.readString(p));
    }

    @Test
    void finetunesFromABaseModelSkipsBadLinesAndResumesBitForBit() throws Exception {
        Path a = tmp.resolve("sft-a");
        assertEquals(0, run(args(a, 2, "--augment", "renumber,reword")));
        JsonNode stats = json(a.resolve("stats.json"));
        JsonNode t = stats.get("train");
        assertEquals(5, t.get("skipped").asInt(), t.toString());
        for (String reason : List.of("not_json", "missing_field", "empty_conversation", "unknown_role",
                "prompt_too_long")) {
            assertEquals(1, t.get("skipped_by_reason").get(reason).asInt(), reason + " in " + t);
        }
        assertTrue(t.get("skipped_lines").get(0).asText().startsWith(train + ":31: not_json"),
                t.get("skipped_lines").toString());
        assertTrue(stats.get("augment").get("augment.renumber.applied").asInt() > 0);
        assertTrue(Files.exists(a.resolve("loss.png")) && Files.exists(a.resolve("metrics.png")));
        assertTrue(Files.exists(a.resolve("_SUCCESS")) && Files.exists(a.resolve("model/_SUCCESS")));
        List<String> lines = Files.readAllLines(a.resolve("metrics.jsonl"));
        assertEquals(2, lines.size());
        JsonNode first = Json.mapper().readTree(lines.get(0));
        JsonNode last = Json.mapper().readTree(lines.get(1));
        assertTrue(last.get("metrics").has("exact_match"), lines.get(1));
        assertTrue(last.get("val_loss").asDouble() < first.get("val_loss").asDouble(), lines.toString());
        // the model grew by the chat tokens; the written tokenizer has them and reloads
        BpeTokenizer chat = TokenizerFiles.load(a.resolve("tokenizer"));
        assertTrue(ChatTokens.present(chat));
        Checkpoint out = Checkpoint.load(Storage.local(), a.resolve("model/model.ckpt").toString());
        assertEquals(baseVocab + 4, out.config().vocabSize());
        assertEquals(chat.vocabSize(), out.config().vocabSize());

        // interrupted after 1 round, resumed to 2: the same parameters and metrics, bit for bit
        Path b = tmp.resolve("sft-b");
        assertEquals(0, run(args(b, 1, "--augment", "renumber,reword")));
        assertEquals(0, run(args(b, 2, "--augment", "renumber,reword", "--resume")));
        assertEquals(1, json(b.resolve("summary.json")).get("resumedFromRound").asInt());
        assertEquals(json(a.resolve("summary.json")).get("paramsSha256").asText(),
                json(b.resolve("summary.json")).get("paramsSha256").asText());
        assertEquals(lines.stream().map(SftJobTest::withoutTimes).toList(),
                Files.readAllLines(b.resolve("metrics.jsonl")).stream().map(SftJobTest::withoutTimes).toList());

        // without augmentation the run differs (the augmented copies are really trained on)
        Path c = tmp.resolve("sft-c");
        assertEquals(0, run(args(c, 1, "--early-stop-metric", "exact_match", "--patience", "1", "--layout", "pack")));
        assertEquals("exact_match", json(c.resolve("summary.json")).get("stopMetric").asText());
        assertNotEquals(json(a.resolve("summary.json")).get("paramsSha256").asText(),
                json(c.resolve("summary.json")).get("paramsSha256").asText());
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(2, run(args(tmp.resolve("u1"), 1, "--layout", "sideways")));
        assertEquals(2, run(args(tmp.resolve("u2"), 1, "--augment", "teleport")));
        assertEquals(2, run(args(tmp.resolve("u4"), 1, "--augment", "renumber", "--augment-exclude",
                tmp.resolve("no-test.jsonl").toString())));
        List<String> missing = args(tmp.resolve("u3"), 1);
        missing.set(missing.indexOf("--train") + 1, tmp.resolve("nope.jsonl").toString());
        assertEquals(2, run(missing));
    }

    static String withoutTimes(String line) {
        try {
            JsonNode n = Json.mapper().readTree(line);
            ((com.fasterxml.jackson.databind.node.ObjectNode) n).remove(List.of("tokens_per_s", "round_s", "compute_s",
                    "worker_setup_s", "averaging_s", "averaging_share", "eval_s"));
            return n.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
