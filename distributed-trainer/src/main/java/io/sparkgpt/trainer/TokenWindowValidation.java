package io.sparkgpt.trainer;

import java.util.Arrays;
import java.util.Map;

/** Pretraining's validation: the mean loss over fixed windows of the validation token stream, in batches. */
public final class TokenWindowValidation implements Validation {
    private final int[] tokens;
    private final int blockSize;
    private final int windows;
    private final int batchSize;

    public TokenWindowValidation(int[] tokens, int blockSize, int windows, int batchSize) {
        this.tokens = tokens;
        this.blockSize = blockSize;
        this.windows = windows;
        this.batchSize = batchSize;
    }

    @Override
    public boolean available() {
        return tokens.length > blockSize;
    }

    @Override
    public Map<String, Double> evaluate(LocalModel model) {
        return Map.of(LOSS, loss(model));
    }

    /** Mean loss over the fixed validation windows, in batches of {@code batchSize}. */
    double loss(LocalModel model) {
        int[][][] w = WindowSampler.fixedWindows(tokens, blockSize, windows);
        int n = w[0].length;
        double sum = 0;
        int batches = 0;
        for (int i = 0; i < n; i += batchSize) {
            int b = Math.min(batchSize, n - i);
            int[][] x = Arrays.copyOfRange(w[0], i, i + b);
            int[][] y = Arrays.copyOfRange(w[1], i, i + b);
            sum += model.loss(x, y) * b;
            batches += b;
        }
        return sum / batches;
    }
}
