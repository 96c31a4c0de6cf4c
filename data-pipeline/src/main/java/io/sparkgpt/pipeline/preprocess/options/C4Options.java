package io.sparkgpt.pipeline.preprocess.options;

import io.sparkgpt.pipeline.quality.C4QualityFilter;
import picocli.CommandLine.Option;

/**
 * C4's filters (Raffel et al. 2020); defaults are {@link C4QualityFilter.Config#defaults()}'s. The javascript and
 * policy-line rules are always on (no option), as before.
 */
public final class C4Options {
    @Option(names = "--c4-filter-no-terminal-punct",
            description = "Remove lines without terminal punctuation (C4: true; FineWeb: false; default ${DEFAULT-VALUE}).")
    boolean filterNoTerminalPunct = C4QualityFilter.Config.defaults().filterNoTerminalPunct();
    @Option(names = "--c4-min-words-per-line", description = "Default ${DEFAULT-VALUE}.")
    int minWordsPerLine = C4QualityFilter.Config.defaults().minWordsPerLine();
    @Option(names = "--c4-max-word-length", description = "Default ${DEFAULT-VALUE}.")
    int maxWordLength = C4QualityFilter.Config.defaults().maxWordLength();
    @Option(names = "--c4-min-sentences", description = "Default ${DEFAULT-VALUE}.")
    int minSentences = C4QualityFilter.Config.defaults().minSentences();
    @Option(names = "--c4-filter-curly-bracket", negatable = true, fallbackValue = "true",
            description = "Drop documents with '{' (default ${DEFAULT-VALUE}).")
    boolean filterCurlyBracket = C4QualityFilter.Config.defaults().filterCurlyBracket();
    @Option(names = "--c4-filter-lorem-ipsum", negatable = true, fallbackValue = "true",
            description = "Default ${DEFAULT-VALUE}.")
    boolean filterLoremIpsum = C4QualityFilter.Config.defaults().filterLoremIpsum();

    public C4QualityFilter.Config config() {
        C4QualityFilter.Config d = C4QualityFilter.Config.defaults();
        return new C4QualityFilter.Config(filterNoTerminalPunct, minWordsPerLine, maxWordLength, minSentences,
                filterLoremIpsum, filterCurlyBracket, d.filterJavascript(), d.filterPolicy());
    }
}
