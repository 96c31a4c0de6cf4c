package io.sparkgpt.pipeline.quality;

import io.sparkgpt.pipeline.step.Counters;
import io.sparkgpt.pipeline.step.Document;
import io.sparkgpt.pipeline.step.DocumentStep;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * C4's heuristics (Raffel et al. 2020; datatrove's C4QualityFilter with FineWeb's setting that keeps lines without
 * terminal punctuation): line-level removal of lines with "javascript", cookie/privacy-policy lines, lines of fewer
 * than 3 words or with a word over 1000 characters, and Wikipedia citation marks; document-level drops for
 * "lorem ipsum", a curly bracket, and fewer than 5 sentences. The text is rewritten without the removed lines.
 */
public final class C4QualityFilter implements DocumentStep {
    public record Config(boolean filterNoTerminalPunct, int minWordsPerLine, int maxWordLength, int minSentences,
                         boolean filterLoremIpsum, boolean filterCurlyBracket, boolean filterJavascript,
                         boolean filterPolicy) implements java.io.Serializable {
        public static Config defaults() {
            return new Config(false, 3, 1000, 5, true, true, true, true);
        }
    }

    private static final String[] POLICY = {"terms of use", "privacy policy", "cookie policy", "uses cookies",
        "use of cookies", "use cookies"};
    private static final Pattern CITATION = Pattern.compile("\\[\\d*]|\\[edit]|\\[citation needed]");
    private final Config c;

    public C4QualityFilter(Config config) {
        this.c = config;
    }

    @Override
    public String name() {
        return "c4";
    }

    @Override
    public String process(Document d, Counters counters) {
        String text = d.text;
        String lower = text.toLowerCase(Locale.ROOT);
        if (c.filterLoremIpsum() && lower.contains("lorem ipsum")) {
            return "lorem_ipsum";
        }
        if (c.filterCurlyBracket() && text.indexOf('{') >= 0) {
            return "curly_bracket";
        }
        StringBuilder kept = new StringBuilder(text.length());
        int removed = 0;
        int sentences = 0;
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.isEmpty()) {
                continue;
            }
            String ll = l.toLowerCase(Locale.ROOT);
            if (c.filterJavascript() && ll.contains("javascript")) {
                removed++;
                counters.increment("line_javascript");
                continue;
            }
            if (c.filterPolicy() && containsAny(ll, POLICY)) {
                removed++;
                counters.increment("line_policy");
                continue;
            }
            if (c.filterNoTerminalPunct() && !Words.endsWithTerminalPunct(l)) {
                removed++;
                counters.increment("line_no_terminal_punct");
                continue;
            }
            if (Words.count(l) < c.minWordsPerLine()) {
                removed++;
                counters.increment("line_too_few_words");
                continue;
            }
            if (longestWord(l) > c.maxWordLength()) {
                removed++;
                counters.increment("line_long_word");
                continue;
            }
            if (l.indexOf('[') >= 0) {
                // every citation mark starts with '[': most lines never meet the regex engine
                l = CITATION.matcher(l).replaceAll("");
            }
            sentences += sentenceEnds(l);
            if (kept.length() > 0) {
                kept.append('\n');
            }
            kept.append(l);
        }
        d.signals.put("c4_lines_removed", (double) removed);
        if (kept.length() == 0) {
            return "c4_all_lines_removed";
        }
        if (sentences < c.minSentences()) {
            return "too_few_sentences";
        }
        d.text = kept.toString();
        return null;
    }

    private static boolean containsAny(String s, String[] needles) {
        for (String n : needles) {
            if (s.contains(n)) {
                return true;
            }
        }
        return false;
    }

    private static int longestWord(String l) {
        int best = 0;
        int cur = 0;
        for (int i = 0; i < l.length(); i++) {
            if (Character.isWhitespace(l.charAt(i))) {
                cur = 0;
            } else {
                best = Math.max(best, ++cur);
            }
        }
        return best;
    }

    /** Sentence ends: terminal punctuation followed by a space, the line's end, or (CJK) anything. */
    static int sentenceEnds(String l) {
        int n = 0;
        for (int i = 0; i < l.length(); i++) {
            char ch = l.charAt(i);
            if (ch == '\u3002' || ch == '\uff01' || ch == '\uff1f') {
                n++;
            } else if ((ch == '.' || ch == '!' || ch == '?')
                    && (i + 1 == l.length() || Character.isWhitespace(l.charAt(i + 1)))) {
                n++;
            }
        }
        return n;
    }
}
