package io.sparkgpt.pipeline.preprocess.options;

import io.sparkgpt.pipeline.lang.LanguageStep;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The language step's options; defaults are {@link LanguageStep.Config#defaults()}'s. */
public final class LanguageOptions {
    @Option(names = "--languages", split = ",", paramLabel = "LANG",
            description = "Languages to keep (ISO 639-1 or 639-3), comma-separated (default: all).")
    List<String> languages = new ArrayList<>(LanguageStep.Config.defaults().languages());

    @Option(names = "--language-threshold",
            description = "Minimum language score (OpenNLP confidence, lower than fastText's: Japanese prose scores "
                    + "0.45-0.9 as it shares Han characters with Chinese; default ${DEFAULT-VALUE}).")
    double threshold = LanguageStep.Config.defaults().threshold();

    @Option(names = "--language-max-chars", description = "Characters read by language ID (default ${DEFAULT-VALUE}).")
    int maxChars = LanguageStep.Config.defaults().maxChars();

    public LanguageStep.Config config() {
        return new LanguageStep.Config(languages, threshold, maxChars);
    }
}
