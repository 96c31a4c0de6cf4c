package io.sparkgpt.pipeline.preprocess.options;

import io.sparkgpt.pipeline.quality.FineWebQualityFilter;
import picocli.CommandLine.Option;

/**
 * FineWeb's own filters (Penedo et al. 2024); defaults are {@link FineWebQualityFilter.Config#defaults()}'s. The
 * CJK short-line scale has no option, as before.
 */
public final class FineWebOptions {
    @Option(names = "--fineweb-line-punct-thr", description = "Default ${DEFAULT-VALUE}.")
    double linePunctThr = FineWebQualityFilter.Config.defaults().linePunctThr();
    @Option(names = "--fineweb-short-line-thr", description = "Default ${DEFAULT-VALUE}.")
    double shortLineThr = FineWebQualityFilter.Config.defaults().shortLineThr();
    @Option(names = "--fineweb-short-line-length", description = "Default ${DEFAULT-VALUE}.")
    int shortLineLength = FineWebQualityFilter.Config.defaults().shortLineLength();
    @Option(names = "--fineweb-char-dup-ratio", description = "Default ${DEFAULT-VALUE}.")
    double charDupRatio = FineWebQualityFilter.Config.defaults().charDuplicatesRatio();
    @Option(names = "--fineweb-new-line-ratio", description = "Default ${DEFAULT-VALUE}.")
    double newLineRatio = FineWebQualityFilter.Config.defaults().newLineRatio();

    public FineWebQualityFilter.Config config() {
        return new FineWebQualityFilter.Config(linePunctThr, shortLineThr, shortLineLength, charDupRatio,
                newLineRatio, FineWebQualityFilter.Config.defaults().cjkShortLineScale());
    }
}
