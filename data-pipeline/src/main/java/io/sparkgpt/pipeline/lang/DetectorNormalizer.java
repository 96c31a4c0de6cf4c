package io.sparkgpt.pipeline.lang;

import java.util.regex.Pattern;
import opennlp.tools.langdetect.LanguageDetectorFactory;
import opennlp.tools.langdetect.LanguageDetectorModel;

/**
 * The normalisation OpenNLP's language detector applies before it takes n-grams (its default factory's chain:
 * emoji, URLs and e-mail addresses, Twitter marks, numbers, repeated spaces and characters), then lower case, done
 * with plain loops over a char array. OpenNLP runs ten regular expressions, each a new String, on every sample: on
 * the language bench that was a large share of the step's time. The result is OpenNLP's to the char
 * (DetectorNormalizerTest: every BMP character, fuzzed strings, the test pages); where exactness would need
 * OpenNLP's regex engine (a text with surrogates, a laugh like "haha", "rt " after a non-ASCII letter) that
 * pattern is run, or the caller is told to use OpenNLP's chain.
 */
final class DetectorNormalizer {
    private DetectorNormalizer() {}

    /**
     * Whether the model normalises as OpenNLP's default factory does (the published model): its context generator is
     * the default one with 1- to 3-grams and its factory is {@link LanguageDetectorFactory} itself, whose chain this
     * class redoes.
     */
    static boolean appliesTo(LanguageDetectorModel model) {
        return model.getFactory().getClass() == LanguageDetectorFactory.class && FastContext.normalizerOf(model) != null;
    }

    // OpenNLP's two patterns whose exact matching (backreferences, Unicode word boundaries) is not redone here
    private static final Pattern RT = Pattern.compile("\\b(rt[ :])+", Pattern.CASE_INSENSITIVE);
    private static final Pattern LAUGH = Pattern.compile("([hj])+([aieou])+(\\1+\\2+)+",
            Pattern.CASE_INSENSITIVE);

    /**
     * {@code text} normalised as OpenNLP's default chain does and lower-cased as {@link FastContext#lower} does; null
     * when the text has surrogates (then OpenNLP's chain must be used: its emoji pattern reads code points).
     */
    static char[] normalizeLower(String text) {
        int n = text.length();
        char[] a = new char[n];
        text.getChars(0, n, a, 0);
        for (int i = 0; i < n; i++) {
            if (Character.isSurrogate(a[i])) {
                return null;
            }
        }
        char[] b = new char[n];
        n = emoji(a, n, b);
        n = url(b, n, a);
        n = mail(a, n, b);
        n = hashOrUser(b, n, a);
        // a and b swap roles below as each pass writes the other
        char[] in = a;
        char[] out = b;
        int m = retweet(in, n, out);
        if (m < 0) {
            String s = RT.matcher(new String(in, 0, n)).replaceAll(" ");
            m = s.length();
            s.getChars(0, m, out, 0);
        }
        n = face(out, m, in);
        if (mayLaugh(in, n)) {
            String s = LAUGH.matcher(new String(in, 0, n)).replaceAll("$1$2$1$2");
            n = s.length();
            s.getChars(0, n, in, 0);
        }
        n = number(in, n, out);
        n = spaces(out, n, in);
        n = repeats(in, n, out);
        // trim (String.trim: chars up to ' ') and lower case
        int start = 0;
        while (start < n && out[start] <= ' ') {
            start++;
        }
        while (n > start && out[n - 1] <= ' ') {
            n--;
        }
        char[] c = new char[n - start];
        for (int i = start; i < n; i++) {
            char ch = out[i];
            if (ch < 0x80) {
                c[i - start] = ch >= 'A' && ch <= 'Z' ? (char) (ch + 32) : ch;
            } else {
                int lower = Character.toLowerCase((int) ch);
                if (lower > 0xffff) {
                    return null;
                }
                c[i - start] = (char) lower;
            }
        }
        return c;
    }

    /**
     * OpenNLP's emoji class {@code [\uD83C-\uDBFF\uDC00-\uDFFF]} as Java's regex parses it: the escapes
     * {@code \uDBFF\uDC00} pair up into U+10FC00, so the class is U+D83C..U+10FC00, '-' and U+DFFF; on a text without
     * surrogates that is '-' and U+E000..U+FFFF (private use, CJK compatibility, presentation and full-width forms).
     */
    static boolean emojiClass(char c) {
        return c >= 0xE000 || c == '-';
    }

    /** Runs of {@link #emojiClass} characters to one space. */
    private static int emoji(char[] a, int n, char[] b) {
        int w = 0;
        for (int i = 0; i < n; ) {
            if (emojiClass(a[i])) {
                while (i < n && emojiClass(a[i])) {
                    i++;
                }
                b[w++] = ' ';
            } else {
                b[w++] = a[i++];
            }
        }
        return w;
    }

    /** {@code https?://[-_.?&~;+=/#0-9A-Za-z]+} to one space. */
    private static int url(char[] a, int n, char[] b) {
        int w = 0;
        for (int i = 0; i < n; ) {
            int end = a[i] == 'h' ? urlEnd(a, n, i) : -1;
            if (end > 0) {
                b[w++] = ' ';
                i = end;
            } else {
                b[w++] = a[i++];
            }
        }
        return w;
    }

    private static int urlEnd(char[] a, int n, int i) {
        if (i + 8 > n || a[i + 1] != 't' || a[i + 2] != 't' || a[i + 3] != 'p') {
            return -1;
        }
        int j = i + 4;
        if (a[j] == 's' && at(a, n, j + 1, "://")) {
            j += 4;
        } else if (at(a, n, j, "://")) {
            j += 3;
        } else {
            return -1;
        }
        int k = j;
        while (k < n && urlChar(a[k])) {
            k++;
        }
        return k > j ? k : -1;
    }

    private static boolean at(char[] a, int n, int i, String s) {
        if (i + s.length() > n) {
            return false;
        }
        for (int k = 0; k < s.length(); k++) {
            if (a[i + k] != s.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static boolean alnum(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    private static boolean urlChar(char c) {
        return alnum(c) || "-_.?&~;+=/#".indexOf(c) >= 0;
    }

    /** {@code [-+_.0-9A-Za-z]}: an e-mail address's local part. */
    private static boolean localChar(char c) {
        return alnum(c) || c == '-' || c == '+' || c == '_' || c == '.';
    }

    /** {@code [-.0-9A-Za-z]}: its domain after the first character. */
    private static boolean domainChar(char c) {
        return alnum(c) || c == '-' || c == '.';
    }

    /**
     * {@code (?<![-+_.0-9A-Za-z])[-+_.0-9A-Za-z]+@[-0-9A-Za-z]+[-.0-9A-Za-z]+} (OpenNLP 2.5's e-mail pattern) to one
     * space. A match starts where a whole run of local-part characters starts (the look-behind; the run cannot cross
     * an '@') and only if no earlier match ended inside that run; its domain is the run of {@code [-.0-9A-Za-z]}
     * after the '@', which must not start with '.' and be at least 2 characters long.
     */
    private static int mail(char[] a, int n, char[] b) {
        int w = 0;
        int runStart = 0;
        int lastEnd = 0;
        for (int i = 0; i < n; ) {
            char c = a[i];
            if (c == '@' && runStart < i && runStart >= lastEnd) {
                int j = i + 1;
                int k = j;
                while (k < n && domainChar(a[k])) {
                    k++;
                }
                if (k - j >= 2 && a[j] != '.') {
                    w -= i - runStart;
                    b[w++] = ' ';
                    i = k;
                    lastEnd = k;
                    // a run of local-part characters going on from here began inside this match: the look-behind
                    // rules out every start in it
                    runStart = k < n && localChar(a[k]) ? -1 : k;
                    continue;
                }
            }
            b[w++] = c;
            i++;
            if (!localChar(c)) {
                runStart = i;
            }
        }
        return w;
    }

    /** {@code \s}: ASCII white space. */
    private static boolean space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    /** {@code [#@]\S+} to one space. */
    private static int hashOrUser(char[] a, int n, char[] b) {
        int w = 0;
        for (int i = 0; i < n; ) {
            char c = a[i];
            if ((c == '#' || c == '@') && i + 1 < n && !space(a[i + 1])) {
                i += 2;
                while (i < n && !space(a[i])) {
                    i++;
                }
                b[w++] = ' ';
            } else {
                b[w++] = a[i++];
            }
        }
        return w;
    }

    private static boolean rtAt(char[] a, int n, int i) {
        return i + 2 < n && (a[i] | 0x20) == 'r' && (a[i + 1] | 0x20) == 't' && (a[i + 2] == ' ' || a[i + 2] == ':');
    }

    /**
     * {@code \b(rt[ :])+} (case-insensitive) to one space; -1 when a candidate follows a non-ASCII character, whose
     * being a word character (a letter, a digit, a mark on one) is left to the regex engine.
     */
    private static int retweet(char[] a, int n, char[] b) {
        int w = 0;
        for (int i = 0; i < n; ) {
            if (rtAt(a, n, i)) {
                char left = i == 0 ? ' ' : a[i - 1];
                if (left >= 0x80) {
                    return -1;
                }
                if (!(alnum(left) || left == '_')) {
                    i += 3;
                    while (rtAt(a, n, i)) {
                        i += 3;
                    }
                    b[w++] = ' ';
                    continue;
                }
            }
            b[w++] = a[i++];
        }
        return w;
    }

    private static boolean faceMouth(char c) {
        return c == '(' || c == ')' || "dop".indexOf(c | 0x20) >= 0;
    }

    /** {@code [:;x]-?[()dop]} (case-insensitive) to one space. */
    private static int face(char[] a, int n, char[] b) {
        int w = 0;
        for (int i = 0; i < n; ) {
            char c = a[i];
            if (c == ':' || c == ';' || c == 'x' || c == 'X') {
                if (i + 2 < n && a[i + 1] == '-' && faceMouth(a[i + 2])) {
                    b[w++] = ' ';
                    i += 3;
                    continue;
                }
                if (i + 1 < n && faceMouth(a[i + 1])) {
                    b[w++] = ' ';
                    i += 2;
                    continue;
                }
            }
            b[w++] = a[i++];
        }
        return w;
    }

    private static boolean vowel(char c) {
        return "aeiou".indexOf(c | 0x20) >= 0 && c < 0x80;
    }

    /** Equal as a case-insensitive backreference compares (ASCII letters only). */
    private static boolean sameIgnoringAsciiCase(char x, char y) {
        return x == y || x < 0x80 && y < 0x80 && Character.isLetter(x) && (x | 0x20) == (y | 0x20);
    }

    /**
     * Whether the text could hold a match of {@code ([hj])+([aieou])+(\1+\2+)+}: an h or j, vowels, the same h or j
     * again (one or more), then the last vowel. Text without one (almost all) skips the pattern.
     */
    private static boolean mayLaugh(char[] a, int n) {
        for (int i = 0; i + 3 < n; i++) {
            char h = (char) (a[i] | 0x20);
            if ((h == 'h' || h == 'j') && a[i] < 0x80 && vowel(a[i + 1])) {
                int k = i + 1;
                while (k + 1 < n && vowel(a[k + 1])) {
                    k++;
                }
                int m = k + 1;
                while (m < n && sameIgnoringAsciiCase(a[m], a[i])) {
                    m++;
                }
                if (m > k + 1 && m < n && sameIgnoringAsciiCase(a[m], a[k])) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code \d+} (ASCII digits) to one space. */
    private static int number(char[] a, int n, char[] b) {
        int w = 0;
        for (int i = 0; i < n; ) {
            if (a[i] >= '0' && a[i] <= '9') {
                while (i < n && a[i] >= '0' && a[i] <= '9') {
                    i++;
                }
                b[w++] = ' ';
            } else {
                b[w++] = a[i++];
            }
        }
        return w;
    }

    /** {@code \s{2,}} to one space. */
    private static int spaces(char[] a, int n, char[] b) {
        int w = 0;
        for (int i = 0; i < n; ) {
            if (space(a[i]) && i + 1 < n && space(a[i + 1])) {
                while (i < n && space(a[i])) {
                    i++;
                }
                b[w++] = ' ';
            } else {
                b[w++] = a[i++];
            }
        }
        return w;
    }

    /** {@code (.)\1{2,}} (case-insensitive) to the character twice; '.' is any character but a line terminator. */
    private static int repeats(char[] a, int n, char[] b) {
        int w = 0;
        for (int i = 0; i < n; ) {
            char c = a[i];
            int k = i + 1;
            if (c != '\n' && c != '\r' && c != '\u0085' && c != '\u2028' && c != '\u2029') {
                while (k < n && sameIgnoringAsciiCase(a[k], c)) {
                    k++;
                }
            }
            if (k - i >= 3) {
                b[w++] = c;
                b[w++] = c;
                i = k;
            } else {
                b[w++] = a[i++];
            }
        }
        return w;
    }
}
