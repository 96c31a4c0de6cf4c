package io.sparkgpt.pipeline.preprocess.options;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.pipeline.quality.GopherRepetitionFilter;
import picocli.CommandLine.Option;

/** Gopher repetition (Rae et al. 2021); defaults are {@link GopherRepetitionFilter.Config#defaults()}'s. */
public final class GopherRepetitionOptions {
    @Option(names = "--dup-line-frac", description = "Default ${DEFAULT-VALUE}.")
    double dupLineFrac = GopherRepetitionFilter.Config.defaults().dupLineFrac();
    @Option(names = "--dup-para-frac", description = "Default ${DEFAULT-VALUE}.")
    double dupParaFrac = GopherRepetitionFilter.Config.defaults().dupParaFrac();
    @Option(names = "--dup-line-char-frac", description = "Default ${DEFAULT-VALUE}.")
    double dupLineCharFrac = GopherRepetitionFilter.Config.defaults().dupLineCharFrac();
    @Option(names = "--dup-para-char-frac", description = "Default ${DEFAULT-VALUE}.")
    double dupParaCharFrac = GopherRepetitionFilter.Config.defaults().dupParaCharFrac();
    @Option(names = "--top-ngram-fracs", split = ",",
            description = "Top 2,3,4-gram character share limits (default ${DEFAULT-VALUE}).")
    double[] topNGramFracs = GopherRepetitionFilter.Config.defaults().topNGramFrac();
    @Option(names = "--dup-ngram-fracs", split = ",",
            description = "Duplicated 5..10-gram character share limits (default ${DEFAULT-VALUE}).")
    double[] dupNGramFracs = GopherRepetitionFilter.Config.defaults().dupNGramFrac();

    public GopherRepetitionFilter.Config config() {
        if (topNGramFracs.length != 3 || dupNGramFracs.length != 6) {
            throw new UsageException("--top-ngram-fracs needs 3 values and --dup-ngram-fracs 6");
        }
        return new GopherRepetitionFilter.Config(dupLineFrac, dupParaFrac, dupLineCharFrac, dupParaCharFrac,
                topNGramFracs.clone(), dupNGramFracs.clone());
    }
}
