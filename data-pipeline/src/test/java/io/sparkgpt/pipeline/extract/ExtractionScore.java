package io.sparkgpt.pipeline.extract;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Word-level precision, recall and F1 of an extracted text against the expected article, as the article-extraction
 * benchmarks score it (ScrapingHub's article-extraction-benchmark, trafilatura's evaluation): both texts cut into
 * words (runs of letters, digits and marks, lower case; each Han, kana or Hangul character one word, since those
 * scripts do not separate words), compared as multisets. Per page P = common / extracted, R = common / expected;
 * a set's figures are the means over its pages (an empty extraction scores P = R = F1 = 0).
 */
public record ExtractionScore(double precision, double recall, double f1) {
    public static ExtractionScore of(String extracted, String expected) {
        Map<String, Integer> got = words(extracted);
        Map<String, Integer> want = words(expected);
        long nGot = got.values().stream().mapToLong(Integer::longValue).sum();
        long nWant = want.values().stream().mapToLong(Integer::longValue).sum();
        long common = 0;
        for (Map.Entry<String, Integer> e : got.entrySet()) {
            common += Math.min(e.getValue(), want.getOrDefault(e.getKey(), 0));
        }
        if (nWant == 0) {
            // nothing expected: right only when nothing was extracted
            return nGot == 0 ? new ExtractionScore(1, 1, 1) : new ExtractionScore(0, 1, 0);
        }
        if (nGot == 0 || common == 0) {
            return new ExtractionScore(0, 0, 0);
        }
        double p = (double) common / nGot;
        double r = (double) common / nWant;
        return new ExtractionScore(p, r, 2 * p * r / (p + r));
    }

    /** The means over a set of pages. */
    public static ExtractionScore mean(List<ExtractionScore> scores) {
        double p = 0;
        double r = 0;
        double f = 0;
        for (ExtractionScore s : scores) {
            p += s.precision;
            r += s.recall;
            f += s.f1;
        }
        int n = Math.max(1, scores.size());
        return new ExtractionScore(p / n, r / n, f / n);
    }

    static Map<String, Integer> words(String text) {
        Map<String, Integer> m = new HashMap<>();
        if (text == null) {
            return m;
        }
        StringBuilder w = new StringBuilder();
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (ideographic(cp)) {
                flush(w, m);
                m.merge(new String(Character.toChars(cp)), 1, Integer::sum);
            } else if (Character.isLetterOrDigit(cp) || Character.getType(cp) == Character.NON_SPACING_MARK
                    || Character.getType(cp) == Character.COMBINING_SPACING_MARK) {
                w.appendCodePoint(Character.toLowerCase(cp));
            } else {
                flush(w, m);
            }
        }
        flush(w, m);
        return m;
    }

    private static boolean ideographic(int cp) {
        Character.UnicodeScript s = Character.UnicodeScript.of(cp);
        return s == Character.UnicodeScript.HAN || s == Character.UnicodeScript.HIRAGANA
                || s == Character.UnicodeScript.KATAKANA || s == Character.UnicodeScript.HANGUL;
    }

    private static void flush(StringBuilder w, Map<String, Integer> m) {
        if (w.length() > 0) {
            m.merge(w.toString(), 1, Integer::sum);
            w.setLength(0);
        }
    }
}
