package io.sparkgpt.trainer.posttrain;

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
import io.sparkgpt.model.align.RewardModel;
import io.sparkgpt.model.align.ScalarHead;
import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.BpeTrainer;
import io.sparkgpt.tokenizer.PreTokenizer;
import io.sparkgpt.tokenizer.TokenizerFiles;
import io.sparkgpt.tokenizer.chat.BadRecords;
import io.sparkgpt.tokenizer.chat.ChatJsonl;
import io.sparkgpt.tokenizer.chat.ChatTemplate;
import io.sparkgpt.tokenizer.chat.ChatTokens;
import io.sparkgpt.tokenizer.chat.PreferencePair;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every figure of the evaluation on tiny sets with a tiny base model: report, stdout lines, ranges, bad lines. */
class EvaluateJobTest {
    private static final String PAIRS = "{\"prompt\": \"q\", \"chosen\": \"the cat\", \"rejected\": \"the mat sat\"}\n"
            + "{\"prompt\": \"What is 3 + 4?\", \"chosen\": \"7\", \"rejected\": \"the the\"}\n"
            + "{\"chosen\": \"\\n\\nHuman: hi\\n\\nAssistant: the cat\", \"rejected\": \"\\n\\nHuman: hi\\n\\nAssistant: 7\"}\n";

    @TempDir
    Path tmp;

    private BpeTokenizer tokenizer(Path dir) throws Exception {
        String corpus = "What is 3 + 4? 7. the cat sat on the mat. ".repeat(40);
        BpeTokenizer tok = new BpeTrainer(BpeTrainer.Config.of(300, PreTokenizer.GPT2))
                .train(BpeTrainer.countWords(List.of(corpus), PreTokenizer.GPT2)).tokenizer();
        TokenizerFiles.save(tok, dir);
        return tok;
    }

    private static JsonNode evaluate(String... args) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            assertEquals(0, Cli.execute(new EvaluateJob(), args));
        } finally {
            System.setOut(old);
        }
        int at = buf.toString().lastIndexOf("report ");
        return Json.mapper().readTree(Files.readString(Path.of(buf.toString().substring(at + 7).trim())));
    }

    /**
     * A reward model (a checkpoint with a head) scores the pairs by its head: the accuracy the job reports is the one
     * computed here from the head's scores of the rendered pairs; DPO's implicit reward against the model itself is
     * 0 for both answers, so every pair ties (accuracy 0).
     */
    @Test
    void scoresPairsWithARewardModelOrTheImplicitReward() throws Exception {
        Path tdir = tmp.resolve("tok");
        BpeTokenizer tok = ChatTokens.addTo(tokenizer(tdir));
        ChatTemplate t = new ChatTemplate(tok);
        GPTConfig cfg = new GPTConfig(tok.vocabSize(), 32, 1, 2, 16, 0, false, true);
        Path pref = tmp.resolve("p.jsonl");
        Files.writeString(pref, PAIRS);
        int expected = 0;
        for (int seed = 1; seed <= 2; seed++) { // two heads, so that the figure is not right by chance
            GPT gpt = GPT.create(cfg, seed);
            ScalarHead head = ScalarHead.create(cfg.nEmbd(), seed);
            Path rm = tmp.resolve("rm" + seed + "/model.ckpt");
            Checkpoint.of(gpt, TrainConfig.defaults(), 0, List.of(), Double.MAX_VALUE, 0,
                    Map.of(RewardModel.HEAD_KEY, head.encode())).save(Storage.local(), rm.toString());
            RewardModel model = new RewardModel(gpt, head);
            int wins = 0;
            for (PreferencePair p : pairs(pref)) {
                double[] r = model.scoresOfTails(List.of(t.render(p.chosenExample()).ids(),
                        t.render(p.rejectedExample()).ids()));
                wins += r[0] > r[1] ? 1 : 0;
            }
            gpt.close();
            JsonNode r = evaluate("--model", rm.toString(), "--tokenizer", tdir.toString(), "--preferences",
                    pref.toString());
            assertEquals(wins / 3.0, r.get("figures").get("pairwise_accuracy").asDouble(), 1e-9);
            assertTrue(r.get("preferences").get("scorer").asText().startsWith("reward model"));
            expected += wins;
        }
        assertTrue(expected > 0 && expected < 6, "both heads agree on every pair: " + expected);

        Path lm = tmp.resolve("lm/model.ckpt");
        try (GPT gpt = GPT.create(cfg, 3)) {
            Checkpoint.of(gpt, TrainConfig.defaults(), 0, List.of(), Double.MAX_VALUE, 0, Map.of())
                    .save(Storage.local(), lm.toString());
        }
        Path em = tmp.resolve("em.jsonl");
        Files.writeString(em, "{\"prompt\": \"What is 3 + 4?\", \"completion\": \"7\"}\n"
                + "{\"prompt\": \"the cat?\", \"completion\": \"sat 2\"}\n");
        JsonNode r = evaluate("--model", lm.toString(), "--tokenizer", tdir.toString(), "--preferences",
                pref.toString(), "--reference", lm.toString(), "--exact-match", em.toString(), "--max-new-tokens", "3");
        assertEquals(3, r.get("preferences").get("ties").asInt());
        assertEquals(0.0, r.get("figures").get("pairwise_accuracy").asDouble());
        assertTrue(r.get("preferences").get("scorer").asText().startsWith("DPO implicit reward"));
        // sampled answers scored by the checker, and their KL to a reference that is the model itself: exactly 0
        assertEquals(2, r.get("sampled").get("val_prompts").asInt());
        assertEquals(0.0, r.get("figures").get("kl_to_reference").asDouble());
        double reward = r.get("figures").get("sampled.reward").asDouble();
        assertTrue(reward >= 0 && reward <= 1, "reward " + reward);
        // several answers per problem: each problem sampled 4 times, the first copy the same draws as above
        JsonNode r4 = evaluate("--model", lm.toString(), "--tokenizer", tdir.toString(), "--reference", lm.toString(),
                "--exact-match", em.toString(), "--max-new-tokens", "3", "--samples", "4");
        assertEquals(8, r4.get("sampled").get("val_prompts").asInt());
        assertEquals(4, r4.get("sampled").get("samples_per_problem").asInt());
        assertEquals(0.0, r4.get("figures").get("kl_to_reference").asDouble());
    }

    private static List<PreferencePair> pairs(Path file) {
        List<PreferencePair> out = ChatJsonl.readPreferences(file, new BadRecords());
        assertEquals(3, out.size());
        return out;
    }

    @Test
    void reportsEveryFigure() throws Exception {
        String corpus = "What is 3 + 4? 7. the cat sat on the mat. ".repeat(40);
        BpeTokenizer tok = new BpeTrainer(BpeTrainer.Config.of(300, PreTokenizer.GPT2))
                .train(BpeTrainer.countWords(List.of(corpus), PreTokenizer.GPT2)).tokenizer();
        Path tdir = tmp.resolve("tok");
        TokenizerFiles.save(tok, tdir);
        GPT gpt = GPT.create(new GPTConfig(tok.vocabSize(), 32, 1, 2, 16, 0, false, true), 1);
        Path ckpt = tmp.resolve("m/model.ckpt");
        Checkpoint.of(gpt, TrainConfig.defaults(), 0, List.of(), Double.MAX_VALUE, 0, Map.of())
                .save(Storage.local(), ckpt.toString());
        gpt.close();
        Path text = tmp.resolve("t.txt");
        Files.writeString(text, corpus);
        Path em = tmp.resolve("em.jsonl");
        Files.writeString(em, "{\"prompt\": \"What is 3 + 4?\", \"completion\": \"7\"}\nnot json\n"
                + "{\"prompt\": \"the cat?\", \"completion\": \"sat\"}\n");
        Path pref = tmp.resolve("p.jsonl");
        Files.writeString(pref, "{\"prompt\": \"q\", \"chosen\": \"the cat\", \"rejected\": \"the mat sat\"}\n"
                + "{\"chosen\": \"\\n\\nHuman: hi\\n\\nAssistant: the cat\", \"rejected\": \"\\n\\nHuman: hi\\n\\nAssistant: 7\"}\n");
        Path report = tmp.resolve("eval.json");
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        int rc;
        try {
            rc = Cli.execute(new EvaluateJob(), new String[] {"--model", ckpt.toString(), "--tokenizer", tdir.toString(),
                "--text", text.toString(), "--exact-match", em.toString(), "--labelled", em.toString(),
                "--preferences", pref.toString(), "--report", report.toString(), "--max-new-tokens", "3"});
        } finally {
            System.setOut(old);
        }
        assertEquals(0, rc);
        String out = buf.toString();
        JsonNode r = Json.mapper().readTree(Files.readString(report));
        JsonNode f = r.get("figures");
        for (String name : List.of("text.loss", "text.perplexity", "text.bits_per_byte", "exact_match",
                "labelled.accuracy", "labelled.macro_f1", "pairwise_accuracy")) {
            assertTrue(f.has(name), name + " missing in " + f);
            assertTrue(out.contains("figure " + name + " "), name + " not printed: " + out);
        }
        // an untrained model: loss near ln(vocab), perplexity = e^loss
        assertEquals(Math.log(tok.vocabSize()), f.get("text.loss").asDouble(), 1.0);
        assertEquals(Math.exp(f.get("text.loss").asDouble()), f.get("text.perplexity").asDouble(), 1e-6);
        assertEquals(2, r.get("exact_match").get("n").asInt());
        assertEquals(1, r.get("exact_match").get("skipped").get("not_json").asInt());
        // every wrong answer named by its record: n - correct of them
        JsonNode em2 = r.get("exact_match");
        assertEquals(em2.get("n").asInt() - em2.get("correct").asInt(), em2.get("wrong").size());
        for (JsonNode w : em2.get("wrong")) {
            assertTrue(w.asText().startsWith(em.toString() + ":"), w.asText());
        }
        assertEquals(2, r.get("preferences").get("pairs").asInt());
        assertTrue(r.get("labelled").get("report").has("confusion"));
        assertEquals(false, r.get("model_has_chat_tokens").asBoolean());

        assertEquals(2, Cli.execute(new EvaluateJob(), new String[] {"--model", ckpt.toString(), "--tokenizer",
            tdir.toString()}));
    }
}
