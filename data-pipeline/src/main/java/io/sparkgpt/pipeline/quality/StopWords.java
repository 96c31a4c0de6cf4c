package io.sparkgpt.pipeline.quality;

import java.util.Map;
import java.util.Set;

/**
 * Gopher's stop-word rule needs a list per language. English is Gopher's own list (the, be, to, of, and, that,
 * have, with); the others are the same kind of very frequent function words. A language without a list skips the
 * rule (counted as {@code stop_words_not_applicable}) rather than being dropped for not being English.
 */
final class StopWords {
    static final Map<String, Set<String>> BY_LANGUAGE = Map.of(
            "en", Set.of("the", "be", "to", "of", "and", "that", "have", "with"),
            "de", Set.of("der", "die", "das", "und", "zu", "den", "mit", "ist", "nicht", "von"),
            "fr", Set.of("le", "la", "les", "de", "et", "à", "un", "une", "est", "des", "que"),
            "es", Set.of("el", "la", "de", "que", "y", "en", "los", "se", "las", "por", "un"),
            "ru", Set.of("и", "в", "не", "на", "что", "с", "по", "это", "как", "он"),
            "zh", Set.of("的", "了", "是", "在", "和", "我", "有", "不", "这", "也"),
            "ja", Set.of("の", "に", "は", "を", "た", "が", "で", "て", "と", "し"));

    private StopWords() {}
}
