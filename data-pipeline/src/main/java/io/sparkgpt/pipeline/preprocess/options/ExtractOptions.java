package io.sparkgpt.pipeline.preprocess.options;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.pipeline.extract.ExtractStep;
import picocli.CommandLine.Option;

/** The extract step's options; defaults are {@link ExtractStep.Config#defaults()}'s. */
public final class ExtractOptions {
    @Option(names = "--extract-mode",
            description = "main (main content, boilerplate removed) or full (all visible text) (default ${DEFAULT-VALUE}).")
    String mode = ExtractStep.Config.defaults().mainContent() ? "main" : "full";

    @Option(names = "--max-replacement-ratio",
            description = "Drop a page as undecodable above this share of U+FFFD (default ${DEFAULT-VALUE}).")
    double maxReplacementRatio = ExtractStep.Config.defaults().maxReplacementRatio();

    public ExtractStep.Config config() {
        if (!mode.equals("main") && !mode.equals("full")) {
            throw new UsageException("--extract-mode must be main or full, not " + mode);
        }
        return new ExtractStep.Config(mode.equals("main"), maxReplacementRatio);
    }
}
