package io.sparkgpt.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.knuddels.jtokkit.api.Encoding;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our encoder with GPT-2's ranks must give jtokkit's r50k_base ids, byte for byte, on all the real texts. */
class Gpt2EquivalenceTest {
    static BpeTokenizer ours;
    static Encoding ref;
    static Map<String, String> texts;

    @BeforeAll
    static void setUp() {
        ours = Corpora.gpt2();
        ref = Corpora.jtokkitR50k();
        texts = new LinkedHashMap<>();
        texts.putAll(Corpora.textFiles());
        texts.putAll(Corpora.warcTexts());
        for (int i = 0; i < Corpora.tricky().size(); i++) {
            texts.put("tricky-" + i, Corpora.tricky().get(i));
        }
    }

    @Test
    void sharedTextsCoverTheLanguagesTheIssueNames() {
        String all = String.join("\n", texts.values());
        assertTrue(texts.size() > 1000, "files: " + texts.size());
        assertTrue(all.codePoints().filter(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN)
                .count() > 100_000);
        assertTrue(all.codePoints().filter(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.CYRILLIC)
                .count() > 10_000);
        assertTrue(all.codePoints().filter(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HIRAGANA)
                .count() > 1_000);
    }

    @Test
    void idsEqualJtokkitR50kOnEveryText() {
        long tokens = 0;
        for (Map.Entry<String, String> e : texts.entrySet()) {
            int[] expected = ref.encodeOrdinary(e.getValue()).toArray();
            int[] actual = ours.encode(e.getValue());
            assertArrayEquals(expected, actual, e.getKey());
            tokens += actual.length;
            assertEquals(e.getValue(), ours.decode(actual), e.getKey());
        }
        assertTrue(tokens > 5_000_000, "tokens compared: " + tokens);
    }

    @Test
    void savedAsGpt2FilesAndReloadedInMergesModeGivesTheSameIds(@TempDir Path dir) {
        TokenizerFiles.save(ours, dir);
        BpeTokenizer reloaded = TokenizerFiles.load(dir);
        assertEquals(50257, reloaded.vocabSize());
        assertEquals(50256, reloaded.eotId());
        assertEquals(50000, reloaded.mergeCount());
        for (Map.Entry<String, String> e : texts.entrySet()) {
            assertArrayEquals(ours.encode(e.getValue()), reloaded.encode(e.getValue()), e.getKey());
        }
    }

    @Test
    void cl100kIdsEqualJtokkit() {
        BpeTokenizer cl = Corpora.cl100k();
        Encoding refCl = Corpora.jtokkitCl100k();
        for (Map.Entry<String, String> e : texts.entrySet()) {
            assertArrayEquals(refCl.encodeOrdinary(e.getValue()).toArray(), cl.encode(e.getValue()), e.getKey());
        }
    }
}
