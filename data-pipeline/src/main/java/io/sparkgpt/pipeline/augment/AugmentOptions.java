package io.sparkgpt.pipeline.augment;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.tokenizer.augment.AugmentConfig;
import picocli.CommandLine.Option;

/** The augment job's augmentation options (a picocli mixin), turned into an {@link AugmentConfig}. */
public final class AugmentOptions {
    @Option(names = "--synonym-rate", defaultValue = "0",
            description = "share of content words replaced by a WordNet synonym, English rows only (default: 0 = off)")
    double synonymRate;

    @Option(names = "--reorder-rate", defaultValue = "0",
            description = "share of paragraphs whose sentences are reordered (default: 0 = off)")
    double reorderRate;

    @Option(names = "--char-noise-rate", defaultValue = "0",
            description = "share of letters deleted, swapped or followed by an inserted letter (default: 0 = off)")
    double charNoiseRate;

    @Option(names = "--word-noise-rate", defaultValue = "0",
            description = "share of words deleted, swapped or preceded by an inserted word (default: 0 = off)")
    double wordNoiseRate;

    @Option(names = "--copies", defaultValue = "1",
            description = "variants per row and augmentation (default: ${DEFAULT-VALUE})")
    int copies;

    @Option(names = "--seed", defaultValue = "1", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    public AugmentConfig config() {
        AugmentConfig c;
        try {
            c = new AugmentConfig(synonymRate, reorderRate, charNoiseRate, wordNoiseRate, copies, seed);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
        if (c.enabled().isEmpty()) {
            throw new UsageException("no augmentation enabled: give --synonym-rate, --reorder-rate, "
                    + "--char-noise-rate or --word-noise-rate above 0");
        }
        return c;
    }
}
