package io.sparkgpt.tokenizer.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Noise, sentence reordering and synonym replacement: identity at rate 0, deterministic per row, numbers and code kept. */
class TextAugmentationTest {
    static final String PROSE = "The quick brown fox jumps over the lazy dog near the river bank. Seven happy children "
            + "watched it from a small wooden bridge! Then everyone walked home slowly.\n\nA second paragraph follows "
            + "here. It has two sentences.";
    static final String CODE = "Call `compute_total(x)` with 42 items, see https://example.org/a_b and x1 = 3.14 * y.";
    static final Thesaurus FAKE = w -> Map.of("quick", List.of("fast", "speedy"), "happy", List.of("glad"),
            "children", List.of("kids"), "items", List.of("things")).getOrDefault(w, List.of());

    static SplittableRandom rng(String row, int variant) {
        return RowSeed.random(7, row, "test", variant);
    }

    @Test
    void rateZeroIsTheIdentity() {
        for (String t : List.of(PROSE, CODE, "", "   ")) {
            assertEquals(new Augmented(t, 0), new TextNoise(0, 0).apply(t, rng("r", 0)));
            assertEquals(new Augmented(t, 0), new SentenceReorder(0).apply(t, rng("r", 0)));
            assertEquals(new Augmented(t, 0), new SynonymReplacer(0).apply(t, FAKE, rng("r", 0)));
        }
    }

    @Test
    void sameRowSameOutputOtherRowOrVariantOther() {
        TextNoise n = new TextNoise(0.1, 0.1);
        assertEquals(n.apply(PROSE, rng("doc-1", 1)), n.apply(PROSE, rng("doc-1", 1)));
        assertNotEquals(n.apply(PROSE, rng("doc-1", 1)).text(), n.apply(PROSE, rng("doc-1", 2)).text());
        assertNotEquals(n.apply(PROSE, rng("doc-1", 1)).text(), n.apply(PROSE, rng("doc-2", 1)).text());
        SentenceReorder r = new SentenceReorder(1);
        assertEquals(r.apply(PROSE, rng("doc-1", 1)), r.apply(PROSE, rng("doc-1", 1)));
    }

    @Test
    void noiseEditsOnlyLettersOfProseWordsAtAboutItsRate() {
        Augmented a = new TextNoise(0.05, 0).apply(PROSE, rng("d", 1));
        int letters = (int) PROSE.chars().filter(Character::isLetter).count();
        assertTrue(a.edits() > letters * 0.02 && a.edits() < letters * 0.09, a.edits() + " of " + letters);
        assertEquals(PROSE.replaceAll("\\p{L}", "").replace(" ", ""), a.text().replaceAll("\\p{L}", "").replace(" ", ""),
                "punctuation and digits untouched");
        // code, numbers, identifiers, URLs survive any rate
        for (int v = 0; v < 20; v++) {
            String out = new TextNoise(0.5, 0.5).apply(CODE, rng("c", v)).text();
            for (String keep : List.of("`compute_total(x)`", "42", "https://example.org/a_b", "x1", "3.14")) {
                assertTrue(out.contains(keep), keep + " in " + out);
            }
        }
        Augmented w = new TextNoise(0, 0.3).apply(PROSE, rng("d", 3));
        assertTrue(w.changed());
        assertNotEquals(PROSE, w.text());
    }

    @Test
    void reorderKeepsEachParagraphsSentencesAndTheParagraphs() {
        Augmented a = new SentenceReorder(1).apply(PROSE, rng("d", 1));
        assertEquals(2, a.edits(), "both paragraphs have >= 2 sentences");
        String[] in = PROSE.split("\n\n");
        String[] out = a.text().split("\n\n");
        assertEquals(in.length, out.length);
        for (int i = 0; i < in.length; i++) {
            assertNotEquals(in[i], out[i]);
            assertEquals(sorted(in[i]), sorted(out[i]), "same sentences");
        }
        assertEquals(new Augmented("One sentence only, e.g. this one with 3.5 apples.", 0),
                new SentenceReorder(1).apply("One sentence only, e.g. this one with 3.5 apples.", rng("d", 1)));
    }

    static List<String> sorted(String para) {
        String[] s = para.split("(?<=[.!?])\\s+");
        Arrays.sort(s);
        return List.of(s);
    }

    @Test
    void synonymsReplaceContentWordsKeepCase() {
        Augmented a = new SynonymReplacer(1).apply(PROSE + " Quick! " + CODE, FAKE, rng("d", 1));
        assertEquals(5, a.edits(), a.text());
        assertTrue(a.text().contains("Fast!") || a.text().contains("Speedy!"), a.text());
        assertTrue(a.text().contains("glad children") || a.text().contains("glad kids"), a.text());
        assertFalse(a.text().contains("quick "), a.text());
        assertTrue(a.text().contains("with 42 things"), a.text());
        assertTrue(a.text().contains("`compute_total(x)`"), a.text());
    }

    @Test
    void wordNetKnowsEnglishWords() {
        WordNetThesaurus wn = new WordNetThesaurus();
        assertTrue(wn.synonyms("car").contains("automobile"), wn.synonyms("car").toString());
        assertEquals(List.of(), wn.synonyms("happy"), "its first sense has no other lemma");
        assertTrue(wn.synonyms("big").contains("large"), wn.synonyms("big").toString());
        assertEquals(List.of(), wn.synonyms("xqzzyv"));
        assertTrue(wn.knows("river"));
        assertFalse(wn.knows("xqzzyv"));
        Augmented a = new SynonymReplacer(1).apply("The big car stopped near a happy child.", wn, rng("d", 1));
        assertTrue(a.edits() >= 2, a.text());
        assertTrue(a.text().startsWith("The "), a.text());
    }

    @Test
    void caseAndSpacingTouchesOnlyCaseAndSpaces() {
        String q = "What is 12 + 30?";
        for (int v = 0; v < 10; v++) {
            String out = TextNoise.caseAndSpacing(q, rng("q", v));
            assertEquals(q.toLowerCase().replace(" ", ""), out.toLowerCase().replace(" ", ""));
        }
    }

    @Test
    void badRatesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TextNoise(1.5, 0));
        assertTrue(e.getMessage().contains("noise character rate"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SentenceReorder(-0.1));
        assertThrows(IllegalArgumentException.class, () -> new SynonymReplacer(Double.NaN));
    }

    @Test
    void wordsSkipCodeAndNumbers() {
        List<String> w = Words.of(CODE).stream().map(Words.Span::text).toList();
        assertEquals(List.of("Call", "with", "items", "see", "and", "y"), w);
        Matcher m = Pattern.compile("\\d").matcher(String.join("", w));
        assertFalse(m.find());
    }
}
