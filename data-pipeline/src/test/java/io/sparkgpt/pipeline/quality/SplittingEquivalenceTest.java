package io.sparkgpt.pipeline.quality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The hand-written splitters of the quality rules against what they replace: {@code String.split} on runs of
 * newlines (Gopher repetition's paragraphs and lines) and the code-point-by-code-point word splitter (Words), on
 * edge cases and on 20,000 random strings over an alphabet of separators, CJK, no-break spaces and letters.
 */
class SplittingEquivalenceTest {
    private static final char[] ALPHABET = {'a', 'b', ' ', '\n', '\n', '\t', '\r', '\u000b', '\u001c', '\u001f',
        '\u001b', '\u00a0', '\u3000', '\u4e2d', '\u3042', '\u2003', '.', '\uD83D', '\uDE00'};

    static List<String> strings() {
        List<String> out = new ArrayList<>(List.of("", "\n", "\n\n", "\n\n\n", "a", "a\n", "a\n\n", "\na", "\n\na",
                "a\nb", "a\n\nb", "a\n\n\nb\n", " \n \n\n ", "a\n\n\n\n", "\n\n\na\n\n\nb\n\n\n"));
        Random r = new Random(7);
        for (int k = 0; k < 20_000; k++) {
            char[] c = new char[r.nextInt(24)];
            for (int i = 0; i < c.length; i++) {
                c[i] = ALPHABET[r.nextInt(ALPHABET.length)];
            }
            out.add(new String(c));
        }
        return out;
    }

    @Test
    void newlineRunsSplitLikeTheRegex() {
        for (String s : strings()) {
            assertArrayEquals(s.split("\\n+"), GopherRepetitionFilter.splitOnNewlines(s, 1), () -> "lines of " + s);
            assertArrayEquals(s.split("\\n{2,}"), GopherRepetitionFilter.splitOnNewlines(s, 2),
                    () -> "paragraphs of " + s);
        }
    }

    @Test
    void wordsSplitAndCountLikeTheCodePointSplitter() {
        for (String s : strings()) {
            String[] expected = reference(s);
            assertArrayEquals(expected, Words.split(s), () -> "words of " + s);
            assertEquals(expected.length, Words.count(s), () -> "word count of " + s);
        }
    }

    /** The splitter as it was before its ASCII fast path: every character through the code-point tests. */
    private static String[] reference(String text) {
        List<String> out = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int len = Character.charCount(cp);
            if (Character.isWhitespace(cp) || cp == 0x00A0 || cp == 0x3000) {
                if (start >= 0) {
                    out.add(text.substring(start, i));
                    start = -1;
                }
            } else if (Words.isCjk(cp)) {
                if (start >= 0) {
                    out.add(text.substring(start, i));
                    start = -1;
                }
                out.add(text.substring(i, i + len));
            } else if (start < 0) {
                start = i;
            }
            i += len;
        }
        if (start >= 0) {
            out.add(text.substring(start));
        }
        return out.toArray(new String[0]);
    }
}
