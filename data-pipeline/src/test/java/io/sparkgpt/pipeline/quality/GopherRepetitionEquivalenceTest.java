package io.sparkgpt.pipeline.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.pipeline.TestData;
import io.sparkgpt.pipeline.bench.HtmlCorpus;
import io.sparkgpt.pipeline.extract.MainContentExtractor;
import io.sparkgpt.pipeline.step.Counters;
import io.sparkgpt.pipeline.step.Document;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The one-pass {@link GopherRepetitionFilter} gives exactly what the rules as first written give
 * ({@link GopherRepetitionReference}): same verdict, same signals, under the published thresholds and under
 * thresholds that make each rule the deciding one; and the n-gram statistics agree for every n, in any order.
 * Texts: PostgreSQL manual pages as extracted, and generated texts with heavy repetition at every n-gram size,
 * Chinese, empty and one-word texts.
 */
class GopherRepetitionEquivalenceTest {
    static List<String> texts() throws Exception {
        List<String> out = new ArrayList<>(List.of("", " ", "\n\n", "word", "a b", "a a a a a a a a a a a a",
                QualityFiltersTest.PROSE, "click here ".repeat(50) + QualityFiltersTest.PROSE,
                "北京是中华人民共和国的首都，也是全国的政治中心和文化中心。\n".repeat(4) + "它有三千多年的建城历史。"));
        Random r = new Random(42);
        String[] vocab = "the of and a to in is was it for on with as at by this that from or an be are".split(" ");
        for (int t = 0; t < 300; t++) {
            int v = 2 + r.nextInt(vocab.length - 1);
            StringBuilder b = new StringBuilder();
            int words = r.nextInt(400);
            for (int i = 0; i < words; i++) {
                b.append(vocab[r.nextInt(v)]);
                int sep = r.nextInt(40);
                b.append(sep == 0 ? "\n\n" : sep < 3 ? "\n" : " ");
                if (r.nextInt(60) == 0 && b.length() > 30) {
                    // repeat an earlier stretch: duplicated n-grams, lines and paragraphs of every size
                    int from = r.nextInt(b.length() - 10);
                    b.append(b, from, Math.min(b.length(), from + 10 + r.nextInt(200)));
                }
            }
            out.add(b.toString());
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

    static GopherRepetitionFilter.Config[] configs() {
        GopherRepetitionFilter.Config d = GopherRepetitionFilter.Config.defaults();
        double[] none3 = {2, 2, 2};
        double[] none6 = {2, 2, 2, 2, 2, 2};
        return new GopherRepetitionFilter.Config[] {
            d,
            // nothing drops: every statistic is computed
            new GopherRepetitionFilter.Config(2, 2, 2, 2, none3, none6),
            // only the n-gram rules, tight: the top-n and duplicated-n rules decide
            new GopherRepetitionFilter.Config(2, 2, 2, 2, new double[] {0.05, 0.04, 0.03}, none6),
            new GopherRepetitionFilter.Config(2, 2, 2, 2, none3, new double[] {0.02, 0.02, 0.02, 0.01, 0.01, 0.01}),
            new GopherRepetitionFilter.Config(2, 2, 2, 2, none3, new double[] {2, 2, 2, 2, 2, 0.01}),
        };
    }

    @Test
    void sameVerdictAndSignalsAsTheReference() throws Exception {
        int decided = 0;
        Map<String, Integer> reasons = new TreeMap<>();
        List<String> texts = texts();
        for (GopherRepetitionFilter.Config c : configs()) {
            GopherRepetitionFilter fast = new GopherRepetitionFilter(c);
            GopherRepetitionReference ref = new GopherRepetitionReference(c);
            for (String t : texts) {
                Document a = doc(t);
                Document b = doc(t);
                String ra = fast.process(a, Counters.standalone("a"));
                String rb = ref.process(b, Counters.standalone("b"));
                assertEquals(rb, ra, t);
                assertEquals(b.signals, a.signals, t);
                reasons.merge(String.valueOf(ra), 1, Integer::sum);
                decided++;
            }
        }
        System.out.println("gopher repetition equivalence: " + decided + " verdicts, " + reasons);
        // every n-gram rule was the deciding one at least once
        for (String r : List.of("top_2_gram", "top_3_gram", "top_4_gram", "duplicated_5_n_grams",
                "duplicated_10_n_grams", "dup_line_frac", "dup_para_frac")) {
            assertTrue(reasons.containsKey(r), r + " never decided: " + reasons);
        }
    }

    @Test
    void nGramStatisticsAgreeForEverySizeInAnyOrder() throws Exception {
        for (String t : texts()) {
            String[] w = Words.split(t);
            int[] ids = new int[w.length];
            int[] wlen = new int[w.length];
            HashMap<String, Integer> vocab = new HashMap<>();
            for (int i = 0; i < w.length; i++) {
                ids[i] = vocab.computeIfAbsent(w[i], k -> vocab.size());
                wlen[i] = w[i].length();
            }
            GopherRepetitionFilter.NGrams g = new GopherRepetitionFilter.NGrams(w);
            for (int n = 1; n <= 12; n++) {
                assertEquals(GopherRepetitionReference.topNGram(ids, wlen, n), g.topNGram(n), "top " + n);
                assertEquals(GopherRepetitionReference.duplicatedNGramChars(ids, wlen, n), g.duplicatedNGramChars(n),
                        "dup " + n);
            }
            for (int n = 7; n >= 1; n -= 3) {
                assertEquals(GopherRepetitionReference.topNGram(ids, wlen, n), g.topNGram(n), "top " + n);
            }
        }
    }

    private static Document doc(String text) {
        Document d = new Document();
        d.text = text;
        d.language = "en";
        return d;
    }
}
