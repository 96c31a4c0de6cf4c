package io.sparkgpt.pipeline.lang;

import io.sparkgpt.pipeline.step.Counters;
import io.sparkgpt.pipeline.step.Document;
import io.sparkgpt.pipeline.step.DocumentStep;
import java.util.List;
import java.util.Set;

/**
 * Sets {@code language} and {@code language_score}; keeps a document when its language is in {@code languages}
 * (empty: all) and its score reaches {@code threshold}. Counts documents per detected language.
 */
public final class LanguageStep implements DocumentStep {
    public record Config(List<String> languages, double threshold, int maxChars) implements java.io.Serializable {
        public Config {
            languages = List.copyOf(languages);
        }

        /** Every language; score 0.3 (OpenNLP's confidence, lower than fastText's); the identifier's prefix. */
        public static Config defaults() {
            return new Config(List.of(), 0.3, LanguageIdentifier.DEFAULT_MAX_CHARS);
        }
    }

    private final Config config;
    private final Set<String> keep;
    private transient LanguageDecider identifier;

    public LanguageStep(Config config) {
        this.config = config;
        this.keep = Set.copyOf(config.languages().stream().map(Iso639::toTwoLetter).toList());
    }

    @Override
    public String name() {
        return "language";
    }

    @Override
    public String process(Document d, Counters counters) {
        if (identifier == null) {
            identifier = new LanguageDecider(config.maxChars());
        }
        LanguageIdentifier.Guess g = identifier.identify(d.text);
        d.language = g.language();
        d.languageScore = g.score();
        counters.increment("lang_" + g.language());
        if (!keep.isEmpty() && !keep.contains(g.language())) {
            return "language_not_wanted";
        }
        if (g.score() < config.threshold()) {
            return "language_score_below_threshold";
        }
        return null;
    }
}
