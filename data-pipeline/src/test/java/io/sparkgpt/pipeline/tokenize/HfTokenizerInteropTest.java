package io.sparkgpt.pipeline.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.pipeline.TestData;
import io.sparkgpt.pipeline.interop.Node;
import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.BpeTrainer;
import io.sparkgpt.tokenizer.PreTokenizer;
import io.sparkgpt.tokenizer.TokenizerFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our tokenizer.json, loaded by Hugging Face's own tokenizer code (npm @huggingface/tokenizers, the tokenizer of
 * transformers.js), gives our ids and our decoded text on English, Chinese and odd strings of data/test.
 */
class HfTokenizerInteropTest {
    @Test
    void huggingFaceTokenizersGivesOurIds(@TempDir Path tmp) throws Exception {
        Path shared = TestData.shared();
        String en = Files.readString(shared.resolve("text/en/tinyshakespeare-input.txt"), StandardCharsets.UTF_8);
        String zh = TokenizeJobsTest.chineseFortunes(shared);
        Map<String, Long> counts = new HashMap<>();
        BpeTrainer.countWords(en.substring(0, 100_000), PreTokenizer.GPT2, counts);
        BpeTrainer.countWords(zh.substring(0, 100_000), PreTokenizer.GPT2, counts);
        BpeTokenizer ours = new BpeTrainer(BpeTrainer.Config.of(2000, PreTokenizer.GPT2)).train(counts).tokenizer();
        Path dir = tmp.resolve("tok");
        TokenizerFiles.save(ours, dir);

        List<String> texts = new ArrayList<>();
        // held-out text (past what was trained on), in pieces of every size
        for (int i = 0, n = 1; i < 40; i++, n = n * 3 % 997 + 1) {
            texts.add(en.substring(120_000 + i * 1000, 120_000 + i * 1000 + n));
            texts.add(zh.substring(120_000 + i * 500, 120_000 + i * 500 + n / 2 + 1));
        }
        texts.addAll(List.of("Hello, world! It's 2024; we'll see they're fine.", "  leading and trailing  \n\n\t x ",
                "naïve café İstanbul ß ﬁ e\u0301", "Съешь же ещё этих мягких булок", "日本語のテキスト、カタカナ。",
                "👩‍👩‍👧‍👦 🇩🇪 👍🏽", "numbers 1234567890 12,345.67", "'s 'll 've 're 'd 'm 't 'S", "", " ", "\n",
                "code: for (int i = 0; i < n; i++) { x += a[i]; }\r\n"));
        Path textsFile = tmp.resolve("texts.json");
        Files.writeString(textsFile, Json.write(texts));
        JsonNode hf = Json.mapper().readTree(Node.run("encode-hf.mjs",
                dir.resolve(TokenizerFiles.TOKENIZER_JSON).toString(), textsFile.toString()));
        long tokens = 0;
        for (int i = 0; i < texts.size(); i++) {
            JsonNode ids = hf.get("ids").get(i);
            int[] theirs = new int[ids.size()];
            for (int k = 0; k < theirs.length; k++) {
                theirs[k] = ids.get(k).asInt();
            }
            assertArrayEquals(ours.encode(texts.get(i)), theirs, "ids of text " + i + ": " + texts.get(i));
            assertEquals(texts.get(i), hf.get("decoded").get(i).asText(), "Hugging Face's decoding of text " + i);
            tokens += theirs.length;
        }
        System.out.printf("@huggingface/tokenizers: %d texts, %d tokens, same ids as ours%n", texts.size(), tokens);
        assertTrue(tokens > 5000, "tokens compared: " + tokens);
    }
}
