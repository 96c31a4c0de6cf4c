package io.sparkgpt.pipeline.preprocess.options;

import io.sparkgpt.pipeline.dedup.DedupConfig;
import picocli.CommandLine.Option;

/** The preprocess job's dedup step; defaults are {@link DedupConfig#defaults()}'s (exact Jaccard check). */
public final class DedupOptions {
    @Option(names = "--dedup-bands", description = "MinHash-LSH bands of the dedup step. Default ${DEFAULT-VALUE}.")
    int bands = DedupConfig.defaults().bands();
    @Option(names = "--dedup-rows",
            description = "MinHash-LSH rows per band of the dedup step. Default ${DEFAULT-VALUE}.")
    int rows = DedupConfig.defaults().rows();
    @Option(names = "--dedup-threshold", description = "Jaccard similarity (exact check of candidate pairs) at "
            + "which two documents are near-duplicates. Default ${DEFAULT-VALUE}.")
    double threshold = DedupConfig.defaults().jaccardThreshold();

    public DedupConfig config() {
        return DedupConfig.defaults().withBands(bands, rows).withThreshold(threshold, true);
    }
}
