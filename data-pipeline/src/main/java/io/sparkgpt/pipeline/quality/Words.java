package io.sparkgpt.pipeline.quality;

import io.sparkgpt.pipeline.step.Document;
import java.util.ArrayList;
import java.util.List;

/**
 * Word splitting that works for languages written without spaces: runs of non-space characters are words, except
 * that every Han, Hiragana, Katakana (and CJK symbol) character is a word of its own. So a Chinese or Japanese
 * page gets a word count close to its character count, which is how FineWeb-2 and cc_net treat unsegmented
 * scripts, and the Gopher and C4 rules that count words keep their meaning (a 50-word floor is a few sentences).
 */
public final class Words {
    private Words() {}

    public static String[] of(Document d) {
        if (d.words == null || d.wordsOf != d.text) {
            d.words = split(d.text);
            d.wordsOf = d.text;
        }
        return d.words;
    }

    public static String[] split(String text) {
        List<String> out = new ArrayList<>(text.length() / 5 + 4);
        int n = text.length();
        int start = -1;
        for (int i = 0; i < n; ) {
            char ch = text.charAt(i);
            if (ch < 0x80) {
                // ASCII, most characters of most pages: Character.isWhitespace's answer without its table look-up
                if (asciiSpace(ch)) {
                    if (start >= 0) {
                        out.add(text.substring(start, i));
                        start = -1;
                    }
                } else if (start < 0) {
                    start = i;
                }
                i++;
                continue;
            }
            int cp = text.codePointAt(i);
            int len = Character.charCount(cp);
            if (Character.isWhitespace(cp) || cp == 0x00A0 || cp == 0x3000) {
                if (start >= 0) {
                    out.add(text.substring(start, i));
                    start = -1;
                }
            } else if (isCjk(cp)) {
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

    /** Number of words in one line (same rule as {@link #split}), without allocating. */
    public static int count(String line) {
        int n = 0;
        boolean inWord = false;
        for (int i = 0, len = line.length(); i < len; ) {
            char ch = line.charAt(i);
            if (ch < 0x80) {
                if (asciiSpace(ch)) {
                    inWord = false;
                } else if (!inWord) {
                    n++;
                    inWord = true;
                }
                i++;
                continue;
            }
            int cp = line.codePointAt(i);
            if (Character.isWhitespace(cp) || cp == 0x00A0 || cp == 0x3000) {
                inWord = false;
            } else if (isCjk(cp)) {
                n++;
                inWord = false;
            } else if (!inWord) {
                n++;
                inWord = true;
            }
            i += Character.charCount(cp);
        }
        return n;
    }

    /** {@link Character#isWhitespace} for an ASCII character: tab to carriage return, the four separators, space. */
    static boolean asciiSpace(char ch) {
        return ch == ' ' || (ch >= 0x09 && ch <= 0x0D) || (ch >= 0x1C && ch <= 0x1F);
    }

    public static boolean isCjk(int cp) {
        if (cp < 0x2E80) {
            // below the first CJK radical no code point is Han, kana or CJK punctuation: skip the script lookup
            // (a binary search per character, most of the cost of splitting Latin-script text)
            return false;
        }
        Character.UnicodeScript s = Character.UnicodeScript.of(cp);
        return s == Character.UnicodeScript.HAN || s == Character.UnicodeScript.HIRAGANA
                || s == Character.UnicodeScript.KATAKANA
                || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFF65 && !Character.isLetterOrDigit(cp));
    }

    /** Languages whose words are counted per character (no spaces between words). */
    public static boolean unsegmented(String language) {
        return "zh".equals(language) || "ja".equals(language) || "th".equals(language) || "lo".equals(language)
                || "my".equals(language) || "km".equals(language) || "bo".equals(language);
    }

    static boolean isTerminalPunct(char c) {
        return c == '.' || c == '!' || c == '?' || c == '"' || c == '\'' || c == '\u201d' || c == '\u2019'
                || c == '\u3002' || c == '\uff01' || c == '\uff1f' || c == '\u300d' || c == '\u300f' || c == '\uff0e'
                || c == '\u2026';
    }

    static boolean endsWithTerminalPunct(String line) {
        String t = line.stripTrailing();
        return !t.isEmpty() && isTerminalPunct(t.charAt(t.length() - 1));
    }
}
