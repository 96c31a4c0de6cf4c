package io.sparkgpt.pipeline.lang;

import java.util.ArrayList;
import java.util.List;

/**
 * What the language model reads of a long page: a few pieces spread evenly over it, each read on its own. A page
 * half translated, half left in English (the Debian handbook's translations have many) is a mix of paragraphs, not
 * of words: read as one sample, whichever language the sample happens to hold wins; read as pieces taken at even
 * intervals, each piece speaks for its part of the page and their mean probabilities name the language of most of
 * the page. The pieces together are no longer than one sample, so the model reads as many characters as before.
 */
final class SpreadSample {
    /**
     * Pieces per page: 5 of 200 characters. Chosen in a probe on 3,048 pages of 24 Debian-handbook translations
     * (the model alone, without the kin stages): 2 pieces named the page's majority language on 0.872, 3 on 0.879, 4
     * on 0.894, 5 on 0.903; 8 pieces of 250 characters (twice the reading) 0.912. The step with 5: 0.923 of 3,175
     * pages, was 0.869 (bench/langid, RESULTS.md).
     */
    static final int PIECES = 5;

    private SpreadSample() {}

    /**
     * The text itself when it is no longer than {@code maxChars}; else {@code pieces} pieces of about
     * {@code maxChars / pieces} characters, the k-th centred on the point k + 1/2 pieces into the text. A piece starts
     * at the start of its line when that is near (a paragraph's first words), else after a space, and ends after a
     * word where it can: the model reads whole words.
     */
    static List<String> pieces(String text, int maxChars, int pieces) {
        int n = text.length();
        if (n <= maxChars) {
            return List.of(text);
        }
        int len = Math.max(1, maxChars / pieces);
        List<String> out = new ArrayList<>(pieces);
        for (int k = 0; k < pieces; k++) {
            int centre = (int) ((k + 0.5) * n / pieces);
            int start = Math.max(0, centre - len / 2);
            // a line start between start and centre (looked for there only: a long page may be one line)
            int lineStart = centre;
            while (lineStart > start && text.charAt(lineStart - 1) != '\n') {
                lineStart--;
            }
            if (lineStart > start || start == 0 || text.charAt(start - 1) == '\n') {
                start = lineStart;
            } else {
                // after the first space before the centre (Chinese and Japanese have none: start where it is)
                int space = start;
                while (space < centre && text.charAt(space) != ' ') {
                    space++;
                }
                start = space < centre ? space + 1 : start;
            }
            int end = Math.min(n, start + len);
            if (end < n) {
                // before the last space in the piece's second half, if there is one
                int space = end;
                while (space > start + len / 2 && text.charAt(space) != ' ') {
                    space--;
                }
                end = space > start + len / 2 ? space : end;
            }
            out.add(text.substring(start, end));
        }
        return out;
    }
}
