package io.sparkgpt.pipeline.lang;

import java.lang.Character.UnicodeScript;

/**
 * The writing script with the most letters in a text, and the text with the other scripts' letters blanked out. A
 * page that is 60% Persian and 40% untranslated English is a Persian page; given whole to the n-gram model, the
 * Latin n-grams (more distinct ones per letter) outvote the Arabic-script ones and the page comes out English.
 * Han, kana and Hangul count as one script: Japanese and Korean pages mix them with Han. Letters are counted by line:
 * the Latin letters of a line written in another script (a Persian sentence around a command or a file name) count
 * for that script. Counted over the whole text (its first {@link #MAX_CHARS}), not over the pieces the model reads
 * ({@link SpreadSample}).
 */
final class ScriptMajority {
    /**
     * The text the model should read, and the share of the text's letters in that text's script (0 to 1; a line's
     * Latin letters counted as its script's where {@link #LINE_CLAIM} gives them to it).
     */
    record Result(String text, UnicodeScript script, double share) {}

    /**
     * What a Han, kana or Hangul character counts for, in Latin letters: a Chinese word is 1 to 2 characters, an
     * English one about 5 letters. Counted one to one, the commands and package names of a Chinese manual page
     * (debian-reference in data/test: 41-58% of the letters) would outvote its prose.
     */
    static final int CJK_WEIGHT = 3;

    /**
     * A line's Latin letters count for the other script on the line when that script has at least a tenth as many
     * (weighted) letters. A translated manual's sentences carry commands, paths and names in Latin letters, often
     * more letters than the sentence's own: in the Debian handbook's Arabic, Persian, Russian, Japanese and Chinese
     * translations, pages counted Latin-majority that way and tagged English were many of the step's 13 to 22 misses
     * in each (bench/RESULTS.md). A tenth, not any one letter, so that a Greek unit or symbol in an English sentence
     * ("5 μs") does not claim it.
     */
    static final int LINE_CLAIM = 10;

    private ScriptMajority() {}

    /** Letters read at most: the share of a long page's first 100,000 characters is its share. */
    static final int MAX_CHARS = 100_000;

    private static final UnicodeScript[] SCRIPTS = UnicodeScript.values();

    /**
     * Each BMP character's script group plus one, 0 for a character that is not a letter: an immutable lookup table
     * (64 KB, built once), because {@link UnicodeScript#of} is a binary search over the script ranges and most of a
     * non-Latin page's characters go through it twice.
     */
    private static final byte[] BMP = bmpTable();

    private static byte[] bmpTable() {
        byte[] t = new byte[0x10000];
        for (int c = 0; c < t.length; c++) {
            if (Character.isLetter(c) && !Character.isSurrogate((char) c)) {
                t[c] = (byte) (group(UnicodeScript.of(c)).ordinal() + 1);
            }
        }
        return t;
    }

    /** The script group of the letter at {@code text[i]} plus one (see {@link #BMP}), 0 for a non-letter. */
    private static int classOf(String text, int i) {
        char ch = text.charAt(i);
        if (!Character.isSurrogate(ch)) {
            return BMP[ch] & 0xff;
        }
        int cp = text.codePointAt(i);
        return Character.isLetter(cp) ? group(UnicodeScript.of(cp)).ordinal() + 1 : 0;
    }

    /** The majority script's group plus one (a {@link #classOf} value) and the letter counts behind it. */
    private record Count(int best, int bestLetters, int letters, boolean oneScript) {}

    private static final int LATIN = UnicodeScript.LATIN.ordinal() + 1;
    private static final int HAN = UnicodeScript.HAN.ordinal() + 1;

    /** Counts {@code text[0..end)}, line by line. */
    private static Count count(String text, int end) {
        Tally t = new Tally();
        for (int i = 0; i < end; i++) {
            char ch = text.charAt(i);
            if (ch < 0x80) {
                // ASCII: letters are Latin, and most pages are mostly ASCII
                if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') {
                    t.lineLatin++;
                } else if (ch == '\n') {
                    t.endLine();
                }
            } else if (!Character.isSurrogate(ch)) {
                t.add(BMP[ch] & 0xff);
            } else {
                // a high surrogate at the end of the counted part is a lone one there, not a letter
                t.add(Character.isHighSurrogate(ch) && i + 1 == end ? 0 : classOf(text, i));
                if (Character.isHighSurrogate(ch) && i + 1 < end && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                }
            }
        }
        t.endLine();
        int letters = 0;
        int best = LATIN;
        for (int s = 1; s < t.counts.length; s++) {
            letters += t.counts[s];
            if (t.counts[s] > t.counts[best]) {
                best = s;
            }
        }
        return new Count(best, t.counts[best], letters, t.counts[best] == letters && t.claimed == 0);
    }

    /** Weighted letters by script group (a {@link #classOf} value), the current line's kept apart until it ends. */
    private static final class Tally {
        final int[] counts = new int[SCRIPTS.length + 1];
        private final int[] line = new int[SCRIPTS.length + 1];
        private final int[] onLine = new int[SCRIPTS.length + 1];
        private int scripts;
        int lineLatin;
        /** Latin letters counted for another script. */
        int claimed;

        /** One character of class {@code c} (0: not a letter). */
        void add(int c) {
            if (c == LATIN) {
                lineLatin++;
            } else if (c != 0) {
                if (line[c] == 0) {
                    onLine[scripts++] = c;
                }
                line[c] += c == HAN ? CJK_WEIGHT : 1;
            }
        }

        /** Adds the line to the counts: its Latin letters to its heaviest other script if that has a tenth of them. */
        void endLine() {
            int other = 0;
            int top = 0;
            for (int k = 0; k < scripts; k++) {
                int c = onLine[k];
                other += line[c];
                // ties to the script first in UnicodeScript's order, as a plain scan of the scripts would
                top = line[c] > line[top] || line[c] == line[top] && c < top ? c : top;
            }
            if (top != 0 && other * LINE_CLAIM >= lineLatin) {
                counts[top] += lineLatin;
                claimed += lineLatin;
            } else {
                counts[LATIN] += lineLatin;
            }
            for (int k = 0; k < scripts; k++) {
                counts[onLine[k]] += line[onLine[k]];
                line[onLine[k]] = 0;
            }
            scripts = 0;
            lineLatin = 0;
        }
    }

    /** The majority script and the whole text with the other scripts' letters blanked out (one blank per run). */
    static Result of(String whole) {
        int end = Math.min(whole.length(), MAX_CHARS);
        Count c = count(whole, end);
        UnicodeScript major = SCRIPTS[c.best() - 1];
        if (c.oneScript()) {
            return new Result(whole, major, 1.0);
        }
        StringBuilder b = new StringBuilder(end);
        blank(whole, end, c.best(), b);
        return new Result(b.toString(), major, (double) c.bestLetters() / c.letters());
    }

    /**
     * Appends {@code text[0..end)} to {@code b} with the letters of scripts other than {@code best} blanked out (one
     * blank per run of them, none at the start or after a blank).
     */
    private static void blank(String text, int end, int best, StringBuilder b) {
        boolean latinMajor = best == UnicodeScript.LATIN.ordinal() + 1;
        int kept = 0;
        for (int i = 0; i < end; i++) {
            char ch = text.charAt(i);
            int len = Character.isHighSurrogate(ch) && i + 1 < end && Character.isLowSurrogate(text.charAt(i + 1))
                    ? 2 : 1;
            boolean other;
            if (ch < 0x80) {
                other = !latinMajor && ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z');
            } else if (!Character.isSurrogate(ch)) {
                int c = BMP[ch] & 0xff;
                other = c != 0 && c != best;
            } else {
                int c = Character.isHighSurrogate(ch) && i + 1 == end ? 0 : classOf(text, i);
                other = c != 0 && c != best;
            }
            if (other) {
                b.append(text, kept, i);
                if (b.length() > 0 && b.charAt(b.length() - 1) != ' ') {
                    b.append(' ');
                }
                kept = i + len;
            }
            i += len - 1;
        }
        b.append(text, kept, end);
    }

    private static UnicodeScript group(UnicodeScript s) {
        return switch (s) {
            case HIRAGANA, KATAKANA, HANGUL, BOPOMOFO -> UnicodeScript.HAN;
            default -> s;
        };
    }
}
