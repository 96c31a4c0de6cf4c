package io.sparkgpt.tokenizer;

/**
 * Splits text into the pieces that BPE merges never cross, exactly as the pattern's regex would (Java's
 * {@code java.util.regex} with {@code UNICODE_CHARACTER_CLASS}, which is how tiktoken's and jtokkit's patterns
 * behave), but hand-written: the regex engine costs more than the whole BPE step on cached words.
 *
 * <p>Classes follow the regex definitions: {@code \p{L}} = general categories Lu, Ll, Lt, Lm, Lo;
 * {@code \p{N}} = Nd, Nl, No; {@code \s} = the Unicode White_Space property. A lone surrogate is neither and
 * counts as "other" (it is later encoded as U+FFFD, which is "other" too).
 */
public enum PreTokenizer {
    /** GPT-2 / r50k_base: {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}. */
    GPT2("'(?:[sdmt]|ll|ve|re)| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"),
    /** cl100k_base style: case-insensitive contractions, one leading non-letter glued to words, digits in 1-3. */
    CL100K("'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*"
            + "|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+");

    static final int L = 1;
    static final int N = 2;
    static final int WS = 3;
    static final int OTHER = 4;

    private static final byte[] ASCII = new byte[128];

    static {
        for (int c = 0; c < 128; c++) {
            ASCII[c] = (byte) slowClass(c);
        }
    }

    private final String regex;

    PreTokenizer(String regex) {
        this.regex = regex;
    }

    /** The regex this splitter implements (for tokenizer.json and for tests against java.util.regex). */
    public String regex() {
        return regex;
    }

    /** The name used on command lines and in files: {@code gpt2} or {@code cl100k}. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static PreTokenizer fromId(String id) {
        for (PreTokenizer p : values()) {
            if (p.id().equalsIgnoreCase(id)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown pre-tokenization pattern '" + id + "' (gpt2 or cl100k)");
    }

    static int classOf(int cp) {
        return cp < 128 ? ASCII[cp] : slowClass(cp);
    }

    private static int slowClass(int cp) {
        int t = Character.getType(cp);
        switch (t) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                    Character.MODIFIER_LETTER, Character.OTHER_LETTER:
                return L;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER:
                return N;
            case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR:
                return WS;
            default:
                return (cp >= 0x9 && cp <= 0xD) || cp == 0x85 ? WS : OTHER;
        }
    }

    /** The class of the code point at {@code i} (caller knows i < end). */
    private static int classAt(CharSequence s, int i, int end) {
        char c = s.charAt(i);
        if (c < 128) {
            return ASCII[c];
        }
        if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(s.charAt(i + 1))) {
            return slowClass(Character.toCodePoint(c, s.charAt(i + 1)));
        }
        return slowClass(c);
    }

    /** Chars taken by the code point at {@code i}. */
    private static int width(CharSequence s, int i, int end) {
        return Character.isHighSurrogate(s.charAt(i)) && i + 1 < end && Character.isLowSurrogate(s.charAt(i + 1))
                ? 2 : 1;
    }

    /** End (exclusive) of the run of class {@code cls} starting at {@code i}. */
    private static int run(CharSequence s, int i, int end, int cls) {
        while (i < end) {
            char c = s.charAt(i);
            if (c < 128) {
                if (ASCII[c] != cls) {
                    return i;
                }
                i++;
            } else {
                if (classAt(s, i, end) != cls) {
                    return i;
                }
                i += width(s, i, end);
            }
        }
        return i;
    }

    /**
     * The end (exclusive) of the piece that starts at {@code start} in {@code s[start, end)}; pieces tile the
     * text, so callers loop {@code while (start < end) start = next(s, start, end)}.
     */
    public int next(CharSequence s, int start, int end) {
        return this == GPT2 ? nextGpt2(s, start, end) : nextCl100k(s, start, end);
    }

    private static int nextGpt2(CharSequence s, int i, int end) {
        char c = s.charAt(i);
        if (c == '\'' && i + 1 < end) {
            char d = s.charAt(i + 1);
            if (d == 's' || d == 'd' || d == 'm' || d == 't') {
                return i + 2;
            }
            if (i + 2 < end) {
                char e = s.charAt(i + 2);
                if ((d == 'l' && e == 'l') || (d == 'v' && e == 'e') || (d == 'r' && e == 'e')) {
                    return i + 3;
                }
            }
        }
        int j = i;
        if (c == ' ' && i + 1 < end) {
            int nc = classAt(s, i + 1, end);
            if (nc != WS) {
                return run(s, i + 1, end, nc);
            }
        }
        int cls = classAt(s, j, end);
        if (cls != WS) {
            return run(s, j, end, cls);
        }
        return whitespace(s, i, end);
    }

    /** {@code \s+(?!\S)|\s+} at a whitespace char. */
    private static int whitespace(CharSequence s, int i, int end) {
        int j = run(s, i, end, WS);
        if (j == end) {
            return j;
        }
        // followed by a non-space: give the last whitespace char back (it is one char: all White_Space is BMP)
        return j - 1 > i ? j - 1 : i + 1;
    }

    private static boolean isCrLf(char c) {
        return c == '\r' || c == '\n';
    }

    private static int nextCl100k(CharSequence s, int i, int end) {
        char c = s.charAt(i);
        if (c == '\'' && i + 1 < end) {
            char d = s.charAt(i + 1);
            char dl = lowerAscii(d);
            if (dl == 's' || dl == 'd' || dl == 'm' || dl == 't' || d == '\u017F') {
                return i + 2;
            }
            if (i + 2 < end) {
                char el = lowerAscii(s.charAt(i + 2));
                if ((dl == 'l' && el == 'l') || (dl == 'v' && el == 'e') || (dl == 'r' && el == 'e')) {
                    return i + 3;
                }
            }
        }
        int cls = classAt(s, i, end);
        int w = width(s, i, end);
        // [^\r\n\p{L}\p{N}]?+\p{L}+
        if (cls == L) {
            return run(s, i, end, L);
        }
        if (cls != N && !isCrLf(c) && i + w < end && classAt(s, i + w, end) == L) {
            return run(s, i + w, end, L);
        }
        // \p{N}{1,3}
        if (cls == N) {
            int j = i;
            for (int k = 0; k < 3 && j < end && classAt(s, j, end) == N; k++) {
                j += width(s, j, end);
            }
            return j;
        }
        //  ?[^\s\p{L}\p{N}]++[\r\n]*
        int j = i;
        if (c == ' ' && i + 1 < end && classAt(s, i + 1, end) == OTHER) {
            j = i + 1;
        }
        if (classAt(s, j, end) == OTHER) {
            j = run(s, j, end, OTHER);
            while (j < end && isCrLf(s.charAt(j))) {
                j++;
            }
            return j;
        }
        // here c is whitespace: \s*[\r\n]
        int wsEnd = run(s, i, end, WS);
        for (int k = wsEnd - 1; k >= i; k--) {
            if (isCrLf(s.charAt(k))) {
                return k + 1;
            }
        }
        return whitespace(s, i, end);
    }

    private static char lowerAscii(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }
}
