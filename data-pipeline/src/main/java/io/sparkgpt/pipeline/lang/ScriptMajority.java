package io.sparkgpt.pipeline.lang;

import java.lang.Character.UnicodeScript;

/**
 * The writing script with the most letters in a text, and the text with the other scripts' letters blanked out. A
 * page that is 60% Persian and 40% untranslated English is a Persian page; given whole to the n-gram model, the
 * Latin n-grams (more distinct ones per letter) outvote the Arabic-script ones and the page comes out English.
 * Han, kana and Hangul count as one script: Japanese and Korean pages mix them with Han. Counted over the whole
 * text (its first {@link #MAX_CHARS}), not over the language sample: a page's longest lines, which the sample
 * takes, are often its untranslated commands and code.
 */
final class ScriptMajority {
    /** The text the model should read, and the share of the text's letters in that text's script (0 to 1). */
    record Result(String text, UnicodeScript script, double share) {}

    /**
     * What a Han, kana or Hangul character counts for, in Latin letters: a Chinese word is 1 to 2 characters, an
     * English one about 5 letters. Counted one to one, the commands and package names of a Chinese manual page
     * (debian-reference in data/test: 41-58% of the letters) would outvote its prose.
     */
    static final int CJK_WEIGHT = 3;

    private ScriptMajority() {}

    /** Letters read at most: the share of a long page's first 100,000 characters is its share. */
    static final int MAX_CHARS = 100_000;

    static Result of(String whole) {
        String text = whole.length() > MAX_CHARS ? whole.substring(0, MAX_CHARS) : whole;
        int[] counts = new int[UnicodeScript.values().length];
        int letters = 0;
        int latin = 0;
        for (int i = 0, n = text.length(); i < n; ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp < 0x80) {
                // ASCII: letters are Latin, and most pages are mostly ASCII
                if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') {
                    latin++;
                }
                continue;
            }
            if (Character.isLetter(cp)) {
                UnicodeScript g = group(UnicodeScript.of(cp));
                int w = g == UnicodeScript.HAN ? CJK_WEIGHT : 1;
                counts[g.ordinal()] += w;
                letters += w;
            }
        }
        counts[UnicodeScript.LATIN.ordinal()] += latin;
        letters += latin;
        int best = UnicodeScript.LATIN.ordinal();
        for (int s = 0; s < counts.length; s++) {
            if (counts[s] > counts[best]) {
                best = s;
            }
        }
        UnicodeScript major = UnicodeScript.values()[best];
        if (counts[best] == letters) {
            return new Result(whole, major, 1.0);
        }
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0, n = text.length(); i < n; ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            boolean other = cp < 0x80 ? major != UnicodeScript.LATIN && ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
                    : Character.isLetter(cp) && group(UnicodeScript.of(cp)) != major;
            if (other) {
                // one blank per run of blanked letters: the model sees word gaps, not a wall of spaces
                if (b.length() > 0 && b.charAt(b.length() - 1) != ' ') {
                    b.append(' ');
                }
            } else {
                b.appendCodePoint(cp);
            }
        }
        return new Result(b.toString(), major, (double) counts[best] / letters);
    }

    private static UnicodeScript group(UnicodeScript s) {
        return switch (s) {
            case HIRAGANA, KATAKANA, HANGUL, BOPOMOFO -> UnicodeScript.HAN;
            default -> s;
        };
    }
}
