package io.sparkgpt.tokenizer.augment;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What the augment job does to each row: {@code copies} variants per enabled augmentation (a rate above 0 enables
 * it), each drawn from {@link RowSeed} with {@code seed}. Noise has two rates (characters, words); either above 0
 * enables it.
 */
public record AugmentConfig(double synonymRate, double reorderRate, double charNoiseRate, double wordNoiseRate,
                            int copies, long seed) implements Serializable {
    public AugmentConfig {
        Rate.check("--synonym-rate", synonymRate);
        Rate.check("--reorder-rate", reorderRate);
        Rate.check("--char-noise-rate", charNoiseRate);
        Rate.check("--word-noise-rate", wordNoiseRate);
        if (copies < 1) {
            throw new IllegalArgumentException("--copies must be >= 1, got " + copies);
        }
    }

    /** The enabled augmentations, in the order their variants are written. */
    public List<String> enabled() {
        List<String> out = new ArrayList<>();
        if (synonymRate > 0) {
            out.add(SynonymReplacer.NAME);
        }
        if (reorderRate > 0) {
            out.add(SentenceReorder.NAME);
        }
        if (charNoiseRate > 0 || wordNoiseRate > 0) {
            out.add(TextNoise.NAME);
        }
        return out;
    }
}
