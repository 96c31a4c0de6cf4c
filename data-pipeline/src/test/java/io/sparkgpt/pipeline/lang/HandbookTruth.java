package io.sparkgpt.pipeline.lang;

import java.lang.Character.UnicodeScript;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Which language most of a translated Debian handbook page is in: the one with more letters, a main-content paragraph
 * that is also in the page's en-US original (left untranslated) counting as English. A Han, kana or Hangul character
 * counts as {@link ScriptMajority#CJK_WEIGHT} letters, as the language step counts them. Shared by the language tests
 * and bench/langid.
 */
public final class HandbookTruth {
    private HandbookTruth() {}

    /** A page's letters in paragraphs left in English and in translated ones. */
    public record Letters(long english, long translated) {
        public double englishShare() {
            return (double) english / Math.max(1, english + translated);
        }

        /** "en", or the translation's code where most letters are translated. */
        public String majority(String translation) {
            return english > translated ? "en" : translation;
        }
    }

    /** The letters of {@code page} (main-content text, a paragraph a line) against its en-US {@code original}. */
    public static Letters of(String page, String original) {
        Set<String> english = new HashSet<>(Arrays.asList(original.split("\n")));
        long en = 0;
        long other = 0;
        for (String para : page.split("\n")) {
            long n = para.codePoints().filter(Character::isLetter).map(HandbookTruth::weight).sum();
            if (english.contains(para)) {
                en += n;
            } else {
                other += n;
            }
        }
        return new Letters(en, other);
    }

    /** What a letter counts for: {@link ScriptMajority#CJK_WEIGHT} for Han, kana and Hangul, else 1. */
    public static int weight(int cp) {
        return switch (UnicodeScript.of(cp)) {
            case HAN, HIRAGANA, KATAKANA, HANGUL, BOPOMOFO -> ScriptMajority.CJK_WEIGHT;
            default -> 1;
        };
    }
}
