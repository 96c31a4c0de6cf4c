package io.sparkgpt.tokenizer.augment;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The words an augmentation may touch: runs of letters (apostrophes and hyphens inside) that are not part of a number,
 * an identifier, a path, a URL or inline/fenced code. Everything else of the text (digits, symbols, code, spacing) is
 * kept as it is, so an arithmetic question or a code snippet keeps its meaning.
 */
final class Words {
    private static final Pattern WORD = Pattern.compile("\\p{L}+(?:['’-]\\p{L}+)*");
    /** Inline code, fenced blocks, URLs and e-mail-like tokens: never touched. */
    private static final Pattern PROTECTED = Pattern.compile("```[\\s\\S]*?(```|$)|`[^`\\n]*`|\\S+://\\S+|\\S+@\\S+");
    /** Characters that make a neighbouring word part of code or a number ({@code foo_bar}, {@code a.b}, {@code x1}). */
    private static final String CODE_NEIGHBOURS = "_/\\$#@<>={}*+^|~%&0123456789";

    /** Function words: replacing or dropping them breaks grammar without adding variety (and WordNet's "be", "have",
     * "do" senses are rarely what the text meant). */
    static final Set<String> STOP = Set.of("a", "an", "the", "and", "or", "but", "if", "then", "of", "to", "in", "on",
            "at", "by", "for", "with", "from", "as", "is", "are", "was", "were", "be", "been", "being", "am", "do",
            "does", "did", "have", "has", "had", "it", "its", "this", "that", "these", "those", "i", "you", "he",
            "she", "we", "they", "me", "him", "her", "us", "them", "my", "your", "his", "our", "their", "not", "no",
            "so", "than", "too", "very", "can", "will", "would", "shall", "should", "may", "might", "must", "what",
            "which", "who", "whom", "whose", "when", "where", "why", "how", "there", "here", "all", "any", "each",
            "some", "such", "into", "onto", "about", "over", "under", "up", "down", "out", "off", "just", "also");

    /** A word of the text: [start, end) and its characters. */
    record Span(int start, int end, String text) {
    }

    private Words() {
    }

    /** The touchable words of {@code text}, in order. */
    static List<Span> of(String text) {
        boolean[] masked = new boolean[text.length()];
        Matcher p = PROTECTED.matcher(text);
        while (p.find()) {
            for (int i = p.start(); i < p.end(); i++) {
                masked[i] = true;
            }
        }
        List<Span> out = new ArrayList<>();
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            if (masked[m.start()] || codeNeighbour(text, m.start() - 1) || codeNeighbour(text, m.end())) {
                continue;
            }
            out.add(new Span(m.start(), m.end(), m.group()));
        }
        return out;
    }

    /** A content word: not a function word, at least 3 letters, not an all-capitals acronym. */
    static boolean content(String w) {
        return w.length() >= 3 && !STOP.contains(w.toLowerCase(java.util.Locale.ROOT))
                && !(w.length() > 1 && w.equals(w.toUpperCase(java.util.Locale.ROOT)));
    }

    private static boolean codeNeighbour(String text, int i) {
        if (i < 0 || i >= text.length()) {
            return false;
        }
        char c = text.charAt(i);
        // a sentence's full stop is not code: "end." - only a dot followed by a letter or digit ("a.b", "v1.2") is
        if (c == '.') {
            return i + 1 < text.length() && Character.isLetterOrDigit(text.charAt(i + 1))
                    && i > 0 && Character.isLetterOrDigit(text.charAt(i - 1));
        }
        if (c == '(' || c == '[') {
            // "f(x)" is code, "(see below)" is prose: an opening bracket glued to a word before it
            return i > 0 && Character.isLetterOrDigit(text.charAt(i - 1));
        }
        if (c == ')' || c == ']') {
            return false;
        }
        return CODE_NEIGHBOURS.indexOf(c) >= 0;
    }
}
