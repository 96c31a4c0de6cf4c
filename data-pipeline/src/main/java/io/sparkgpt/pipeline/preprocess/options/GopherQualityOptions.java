package io.sparkgpt.pipeline.preprocess.options;

import io.sparkgpt.pipeline.quality.GopherQualityFilter;
import picocli.CommandLine.Option;

/** Gopher quality (Rae et al. 2021); defaults are {@link GopherQualityFilter.Config#defaults()}'s. */
public final class GopherQualityOptions {
    @Option(names = "--gopher-min-doc-words", description = "Default ${DEFAULT-VALUE}.")
    int minDocWords = GopherQualityFilter.Config.defaults().minDocWords();
    @Option(names = "--gopher-max-doc-words", description = "Default ${DEFAULT-VALUE}.")
    int maxDocWords = GopherQualityFilter.Config.defaults().maxDocWords();
    @Option(names = "--gopher-min-avg-word-length", description = "Default ${DEFAULT-VALUE}.")
    double minAvgWordLength = GopherQualityFilter.Config.defaults().minAvgWordLength();
    @Option(names = "--gopher-max-avg-word-length", description = "Default ${DEFAULT-VALUE}.")
    double maxAvgWordLength = GopherQualityFilter.Config.defaults().maxAvgWordLength();
    @Option(names = "--gopher-max-symbol-word-ratio", description = "Default ${DEFAULT-VALUE}.")
    double maxSymbolWordRatio = GopherQualityFilter.Config.defaults().maxSymbolWordRatio();
    @Option(names = "--gopher-max-bullet-lines-ratio", description = "Default ${DEFAULT-VALUE}.")
    double maxBulletLinesRatio = GopherQualityFilter.Config.defaults().maxBulletLinesRatio();
    @Option(names = "--gopher-max-ellipsis-lines-ratio", description = "Default ${DEFAULT-VALUE}.")
    double maxEllipsisLinesRatio = GopherQualityFilter.Config.defaults().maxEllipsisLinesRatio();
    @Option(names = "--gopher-min-alpha-words-ratio",
            description = "Share of words with a letter, at least (default ${DEFAULT-VALUE}).")
    double minAlphaWordsRatio = GopherQualityFilter.Config.defaults().maxNonAlphaWordsRatio();
    @Option(names = "--gopher-min-stop-words", description = "Default ${DEFAULT-VALUE}.")
    int minStopWords = GopherQualityFilter.Config.defaults().minStopWords();

    public GopherQualityFilter.Config config() {
        return new GopherQualityFilter.Config(minDocWords, maxDocWords, minAvgWordLength, maxAvgWordLength,
                maxSymbolWordRatio, maxBulletLinesRatio, maxEllipsisLinesRatio, minAlphaWordsRatio, minStopWords);
    }
}
