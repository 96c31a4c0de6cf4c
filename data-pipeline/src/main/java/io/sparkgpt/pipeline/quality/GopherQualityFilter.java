package io.sparkgpt.pipeline.quality;

import io.sparkgpt.pipeline.step.Counters;
import io.sparkgpt.pipeline.step.Document;
import io.sparkgpt.pipeline.step.DocumentStep;
import java.util.Locale;
import java.util.Set;

/**
 * Gopher quality rules (Rae et al. 2021, as in datatrove's GopherQualityFilter; defaults are the paper's): word
 * count, mean word length, symbol-to-word ratio, bullet and ellipsis lines, share of words with a letter, stop
 * words. For unsegmented scripts (zh, ja) the mean-word-length rule does not apply (a word is one character) and
 * the stop words are the language's own.
 */
public final class GopherQualityFilter implements DocumentStep {
    public record Config(int minDocWords, int maxDocWords, double minAvgWordLength, double maxAvgWordLength,
                         double maxSymbolWordRatio, double maxBulletLinesRatio, double maxEllipsisLinesRatio,
                         double maxNonAlphaWordsRatio, int minStopWords) implements java.io.Serializable {
        public static Config defaults() {
            return new Config(50, 100_000, 3, 10, 0.1, 0.9, 0.3, 0.8, 2);
        }
    }

    private final Config c;

    public GopherQualityFilter(Config config) {
        this.c = config;
    }

    @Override
    public String name() {
        return "gopher_quality";
    }

    @Override
    public String process(Document d, Counters counters) {
        String text = d.text;
        String[] words = Words.of(d);
        int nonSymbol = 0;
        long nonSymbolChars = 0;
        int withAlpha = 0;
        int stop = 0;
        Set<String> stops = StopWords.BY_LANGUAGE.get(d.language == null ? "en" : d.language);
        for (String w : words) {
            boolean alpha = false;
            boolean nonPunct = false;
            for (int i = 0; i < w.length(); i++) {
                char ch = w.charAt(i);
                if (Character.isLetter(ch)) {
                    alpha = true;
                    nonPunct = true;
                    break;
                }
                if (!isPunct(ch)) {
                    nonPunct = true;
                }
            }
            if (nonPunct) {
                nonSymbol++;
                nonSymbolChars += w.length();
            }
            if (alpha) {
                withAlpha++;
            }
            if (stops != null && stops.contains(w.toLowerCase(Locale.ROOT))) {
                stop++;
            }
        }
        d.signals.put("gopher_words", (double) nonSymbol);
        if (nonSymbol < c.minDocWords()) {
            return "gopher_short_doc";
        }
        if (nonSymbol > c.maxDocWords()) {
            return "gopher_long_doc";
        }
        double avg = (double) nonSymbolChars / nonSymbol;
        d.signals.put("gopher_avg_word_length", avg);
        if (!Words.unsegmented(d.language)) {
            if (avg < c.minAvgWordLength()) {
                return "gopher_below_avg_word_length";
            }
            if (avg > c.maxAvgWordLength()) {
                return "gopher_above_avg_word_length";
            }
        }
        int hashes = count(text, "#");
        int ellipsis = count(text, "...") + count(text, "\u2026");
        if ((double) hashes / words.length > c.maxSymbolWordRatio()) {
            return "gopher_too_many_hashes";
        }
        if ((double) ellipsis / words.length > c.maxSymbolWordRatio()) {
            return "gopher_too_many_ellipsis";
        }
        String[] lines = text.split("\n");
        int bullets = 0;
        int ellipsisLines = 0;
        for (String l : lines) {
            String t = l.strip();
            if (t.startsWith("\u2022") || t.startsWith("-") || t.startsWith("*") || t.startsWith("\u25cf")
                    || t.startsWith("\u00b7")) {
                bullets++;
            }
            if (t.endsWith("...") || t.endsWith("\u2026")) {
                ellipsisLines++;
            }
        }
        if ((double) bullets / lines.length > c.maxBulletLinesRatio()) {
            return "gopher_too_many_bullets";
        }
        if ((double) ellipsisLines / lines.length > c.maxEllipsisLinesRatio()) {
            return "gopher_too_many_end_ellipsis";
        }
        double alphaRatio = (double) withAlpha / words.length;
        d.signals.put("gopher_alpha_words_ratio", alphaRatio);
        if (alphaRatio < c.maxNonAlphaWordsRatio()) {
            return "gopher_below_alpha_threshold";
        }
        if (stops == null) {
            counters.increment("stop_words_not_applicable");
        } else if (stop < c.minStopWords()) {
            return "gopher_not_enough_stop_words";
        }
        return null;
    }

    static boolean isPunct(char ch) {
        int t = Character.getType(ch);
        return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION
                || t == Character.START_PUNCTUATION || t == Character.END_PUNCTUATION
                || t == Character.INITIAL_QUOTE_PUNCTUATION || t == Character.FINAL_QUOTE_PUNCTUATION
                || t == Character.OTHER_PUNCTUATION || t == Character.MATH_SYMBOL || t == Character.CURRENCY_SYMBOL
                || t == Character.MODIFIER_SYMBOL || t == Character.OTHER_SYMBOL;
    }

    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }
}
