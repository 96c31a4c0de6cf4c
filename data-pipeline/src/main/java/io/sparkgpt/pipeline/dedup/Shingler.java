package io.sparkgpt.pipeline.dedup;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Locale;

/**
 * Turns a text into the sorted, distinct 64-bit hashes of its shingles.
 *
 * <p>Word scripts: lower-cased runs of letters/digits are the words, and a shingle is {@code ngram} consecutive
 * words. Scripts written without spaces (Chinese, Japanese, Thai, Lao, Khmer, Burmese, Tibetan) would be one
 * "word" per sentence that way, so for them a shingle is {@code charNgram} consecutive letters/digits
 * (punctuation and spaces skipped). Which mode is chosen by the {@code language} column; when it is missing or
 * unknown, by the share of Han/kana/Thai-like letters in the text (>= 30%). A text shorter than one shingle gives
 * one shingle of all it has, so short texts still compare.
 */
public final class Shingler implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int ngram;
    private final int charNgram;

    public Shingler(int ngram, int charNgram) {
        this.ngram = ngram;
        this.charNgram = charNgram;
    }

    public long[] shingles(String text, String language) {
        if (text == null || text.isEmpty()) {
            return new long[0];
        }
        long[] units = charMode(text, language) ? charHashes(text) : wordHashes(text);
        return shingleSet(units, charMode(text, language) ? charNgram : ngram);
    }

    public static boolean charMode(String text, String language) {
        if (language != null && !language.isBlank()) {
            String l = language.toLowerCase(Locale.ROOT);
            int cut = l.indexOf('-') >= 0 ? l.indexOf('-') : l.indexOf('_');
            String base = cut >= 0 ? l.substring(0, cut) : l;
            switch (base) {
                case "zh", "ja", "th", "lo", "km", "my", "bo", "yue", "wuu", "cmn", "jpn", "zho", "tha":
                    return true;
                case "und", "unknown", "xx", "":
                    break;
                default:
                    return false;
            }
        }
        return scriptIsUnspaced(text);
    }

    /** True when >= 30% of the (first 2000) letters are Han, kana, Thai, Lao, Khmer, Myanmar or Tibetan. */
    static boolean scriptIsUnspaced(String text) {
        int letters = 0;
        int unspaced = 0;
        int limit = Math.min(text.length(), 4000);
        for (int i = 0; i < limit && letters < 2000; ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (!Character.isLetter(cp)) {
                continue;
            }
            letters++;
            Character.UnicodeScript s = Character.UnicodeScript.of(cp);
            switch (s) {
                case HAN, HIRAGANA, KATAKANA, THAI, LAO, KHMER, MYANMAR, TIBETAN -> unspaced++;
                default -> { }
            }
        }
        return letters > 0 && unspaced * 10 >= letters * 3;
    }

    /** 64-bit hash of each lower-cased letter/digit run. */
    static long[] wordHashes(String text) {
        long[] out = new long[Math.max(16, text.length() / 5)];
        int n = 0;
        long h = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isLetterOrDigit(cp)) {
                if (!inWord) {
                    h = 0xcbf29ce484222325L;
                    inWord = true;
                }
                h = (h ^ Character.toLowerCase(cp)) * 0x100000001b3L;
            } else if (inWord) {
                if (n == out.length) {
                    out = Arrays.copyOf(out, n * 2);
                }
                out[n++] = mix(h);
                inWord = false;
            }
        }
        if (inWord) {
            if (n == out.length) {
                out = Arrays.copyOf(out, n + 1);
            }
            out[n++] = mix(h);
        }
        return Arrays.copyOf(out, n);
    }

    /** 64-bit hash of each lower-cased letter/digit code point (spaces and punctuation skipped). */
    static long[] charHashes(String text) {
        long[] out = new long[text.length()];
        int n = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isLetterOrDigit(cp)) {
                out[n++] = mix(Character.toLowerCase(cp) * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L);
            }
        }
        return Arrays.copyOf(out, n);
    }

    static long[] shingleSet(long[] units, int n) {
        if (units.length == 0) {
            return units;
        }
        int count = Math.max(1, units.length - n + 1);
        int width = Math.min(n, units.length);
        long[] out = new long[count];
        for (int s = 0; s < count; s++) {
            long h = 0x27d4eb2f165667c5L;
            for (int k = 0; k < width; k++) {
                h = (h ^ units[s + k]) * 0x9E3779B97F4A7C15L;
                h ^= h >>> 29;
            }
            out[s] = mix(h);
        }
        Arrays.sort(out);
        int d = 0;
        for (int i = 0; i < out.length; i++) {
            if (i == 0 || out[i] != out[d - 1]) {
                out[d++] = out[i];
            }
        }
        return d == out.length ? out : Arrays.copyOf(out, d);
    }

    /** splitmix64's finaliser: a bijective, well-avalanched mix. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Exact Jaccard of two sorted distinct arrays. */
    public static double jaccard(long[] a, long[] b) {
        if (a.length == 0 && b.length == 0) {
            return 1.0;
        }
        int i = 0;
        int j = 0;
        int inter = 0;
        while (i < a.length && j < b.length) {
            if (a[i] == b[j]) {
                inter++;
                i++;
                j++;
            } else if (a[i] < b[j]) {
                i++;
            } else {
                j++;
            }
        }
        return (double) inter / (a.length + b.length - inter);
    }
}
