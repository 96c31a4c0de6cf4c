package io.sparkgpt.pipeline.lang;

import java.lang.reflect.Field;
import opennlp.tools.langdetect.DefaultLanguageDetectorContextGenerator;
import opennlp.tools.langdetect.LanguageDetectorContextGenerator;
import opennlp.tools.langdetect.LanguageDetectorModel;
import opennlp.tools.util.normalizer.CharSequenceNormalizer;

/**
 * The text OpenNLP 2.5.4's language detector takes its context from, made directly: the model's own normaliser,
 * then lower case. OpenNLP's context is the set of distinct character 1-, 2- and 3-grams of that text, collected in
 * an NGramCharModel (a HashMap keyed by CharBuffer: three hash look-ups, a CharBuffer copy and a buffer comparison
 * per n-gram), copied into a second HashMap and then into a String array; {@link GramModel} reads the n-grams
 * straight from the lower-cased chars instead.
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
     * The normalised text lower-cased code point by code point (OpenNLP's StringUtil.toLowerCaseCharBuffer); null
     * when lower-casing would change the text's length in chars (a case OpenNLP handles in its own way: the caller
     * uses OpenNLP's path then).
     */
    static char[] lower(CharSequence normalized) {
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
        return c;
    }
}
