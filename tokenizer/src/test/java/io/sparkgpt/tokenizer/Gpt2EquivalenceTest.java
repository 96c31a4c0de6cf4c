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
        assertTrue(texts.size() > 250, "files (data/test: 296): " + texts.size());
        Map<Character.UnicodeScript, Long> scripts = new java.util.EnumMap<>(Character.UnicodeScript.class);
        for (String t : texts.values()) {
            t.codePoints().filter(c -> c >= 0x370).forEach(c -> scripts.merge(Character.UnicodeScript.of(c), 1L, Long::sum));
        }
        assertTrue(scripts.getOrDefault(Character.UnicodeScript.HAN, 0L) > 100_000, scripts.toString());
        assertTrue(scripts.getOrDefault(Character.UnicodeScript.CYRILLIC, 0L) > 10_000, scripts.toString());
        assertTrue(scripts.getOrDefault(Character.UnicodeScript.HIRAGANA, 0L) > 1_000, scripts.toString());
        String emoji = String.join("", Corpora.tricky());
        assertTrue(emoji.codePoints().anyMatch(c -> c >= 0x1F300 && c <= 0x1FAFF));
    }

    @Test
    void idsEqualJtokkitR50kOnEveryText() {
        long tokens = 0;
        // every file in full up to 1M chars (only the 11 MB aut-example WARC, a few fortunes files and the largest
        // poetry JSON are cut there): keeps this test near a minute on CI's 2 cores
        for (Map.Entry<String, String> e : texts.entrySet()) {
            String t = head(e.getValue(), 1_000_000);
            int[] expected = ref.encodeOrdinary(t).toArray();
            int[] actual = ours.encode(t);
            assertArrayEquals(expected, actual, e.getKey());
            tokens += actual.length;
            assertEquals(t, ours.decode(actual), e.getKey());
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
        // every file, its first 30k chars (the full texts are compared against jtokkit above)
        for (Map.Entry<String, String> e : texts.entrySet()) {
            String t = head(e.getValue(), 30_000);
            assertArrayEquals(ours.encode(t), reloaded.encode(t), e.getKey());
        }
    }

    @Test
    void cl100kIdsEqualJtokkit() {
        BpeTokenizer cl = Corpora.cl100k();
        Encoding refCl = Corpora.jtokkitCl100k();
        for (Map.Entry<String, String> e : texts.entrySet()) {
            String t = head(e.getValue(), 20_000);
            assertArrayEquals(refCl.encodeOrdinary(t).toArray(), cl.encode(t), e.getKey());
        }
    }

    private static String head(String s, int max) {
        int n = Math.min(s.length(), max);
        if (n > 0 && n < s.length() && Character.isHighSurrogate(s.charAt(n - 1))) {
            n--;
        }
        return s.substring(0, n);
    }
}
