package io.sparkgpt.pipeline.lang;

import java.lang.reflect.Field;
import java.util.HashMap;
import opennlp.tools.langdetect.DefaultLanguageDetectorContextGenerator;
import opennlp.tools.langdetect.LanguageDetectorContextGenerator;
import opennlp.tools.langdetect.LanguageDetectorModel;
import opennlp.tools.util.normalizer.CharSequenceNormalizer;

/**
 * The context OpenNLP 2.5.4's language detector evaluates, built directly. OpenNLP's context is the set of
 * distinct character 1-, 2- and 3-grams of the lower-cased, normalised text, collected in an NGramCharModel (a
 * HashMap keyed by CharBuffer: three hash look-ups, a CharBuffer copy and a buffer comparison per n-gram), then
 * copied into a second HashMap, then into the feature array: two thirds of the language step's time. Here each
 * n-gram is one look-up on a key with CharBuffer's hash code, in a HashMap grown the same way from the same
 * insertion order, so the features come out in the same order and the model sums them in the same order: the
 * probabilities are bit-identical (LanguageIdentifierContextTest compares with OpenNLP on udhr and web pages).
 */
final class FastContext {
    private FastContext() {}

    /**
     * The normaliser of the model's context generator when that generator is OpenNLP's default one with 1- to
     * 3-grams (the published model's); null otherwise, and the caller then uses OpenNLP's own path.
     */
    static CharSequenceNormalizer normalizerOf(LanguageDetectorModel model) {
        LanguageDetectorContextGenerator g = model.getFactory().getContextGenerator();
        if (g.getClass() != DefaultLanguageDetectorContextGenerator.class) {
            return null;
        }
        try {
            if (field("minLength").getInt(g) != 1 || field("maxLength").getInt(g) != 3) {
                return null;
            }
            return (CharSequenceNormalizer) field("normalizer").get(g);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static Field field(String name) throws NoSuchFieldException {
        Field f = DefaultLanguageDetectorContextGenerator.class.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

    /**
     * The distinct 1- to 3-grams of the normalised text, lower-cased code point by code point (OpenNLP's
     * StringUtil.toLowerCaseCharBuffer), in OpenNLP's order; null when lower-casing would change the text's
     * length in chars (a case OpenNLP handles in its own way: the caller uses OpenNLP's path then).
     */
    static String[] of(CharSequence normalized) {
        String s = normalized.toString();
        int n = s.length();
        char[] c = new char[n];
        int k = 0;
        for (int i = 0; i < n; ) {
            char ch = s.charAt(i);
            if (ch < 0x80) {
                // ASCII: Character.toLowerCase's answer, without its table look-up
                c[k++] = ch >= 'A' && ch <= 'Z' ? (char) (ch + 32) : ch;
                i++;
                continue;
            }
            int cp = s.codePointAt(i);
            int lower = Character.toLowerCase(cp);
            if (Character.charCount(lower) != Character.charCount(cp)) {
                return null;
            }
            i += Character.charCount(cp);
            k += Character.toChars(lower, c, k);
        }
        // default capacity on purpose: the iteration order must be that of OpenNLP's default-sized maps
        HashMap<Gram, Gram> grams = new HashMap<>();
        for (int len = 1; len <= 3; len++) {
            for (int i = 0; i + len <= n; i++) {
                Gram g = new Gram(c, i, len);
                grams.putIfAbsent(g, g);
            }
        }
        String[] out = new String[grams.size()];
        int j = 0;
        for (Gram g : grams.keySet()) {
            out[j++] = new String(c, g.start, g.len);
        }
        return out;
    }

    /** An n-gram of a char array, hashed as {@link java.nio.CharBuffer#hashCode()} hashes the same chars. */
    static final class Gram {
        final char[] chars;
        final int start;
        final int len;
        final int hash;

        Gram(char[] chars, int start, int len) {
            this.chars = chars;
            this.start = start;
            this.len = len;
            int h = 1;
            for (int i = start + len - 1; i >= start; i--) {
                h = 31 * h + chars[i];
            }
            this.hash = h;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Gram g) || g.len != len) {
                return false;
            }
            for (int i = 0; i < len; i++) {
                if (g.chars[g.start + i] != chars[start + i]) {
                    return false;
                }
            }
            return true;
        }
    }
}
