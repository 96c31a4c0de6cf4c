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
import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.BpeTrainer;
import io.sparkgpt.tokenizer.PreTokenizer;
import io.sparkgpt.tokenizer.TokenizerFiles;
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
    @TempDir
    Path tmp;

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
        assertEquals(2, r.get("preferences").get("pairs").asInt());
        assertTrue(r.get("labelled").get("report").has("confusion"));
        assertEquals(false, r.get("model_has_chat_tokens").asBoolean());

        assertEquals(2, Cli.execute(new EvaluateJob(), new String[] {"--model", ckpt.toString(), "--tokenizer",
            tdir.toString()}));
    }
}
