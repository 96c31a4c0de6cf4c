package io.sparkgpt.model.compress;

import io.sparkgpt.model.GPT;
import io.sparkgpt.model.TokenWindows;
import io.sparkgpt.model.TrainConfig;

/**
 * A short fine-tune of a pruned dense model with the training engine: the usual AdamW steps on random windows of the
 * training tokens, and after every step the mask is applied again, so pruned weights are exactly zero whenever the
 * model is read (what PyTorch's {@code torch.nn.utils.prune} achieves with a forward hook).
 */
public final class MaskedFineTune {
    private MaskedFineTune() {}

    /**
     * Runs {@code tc.maxSteps()} steps of {@code tc.batchSize()} windows on {@code tokens}, learning rate from
     * {@code tc.schedule()}; returns the mean training loss of the last step.
     */
    public static double run(GPT gpt, PruneMask mask, int[] tokens, TrainConfig tc) {
        mask.applyTo(gpt);
        TokenWindows data = new TokenWindows(tokens, gpt.config().blockSize(), tc.seed());
        double loss = Double.NaN;
        for (int step = 0; step < tc.maxSteps(); step++) {
            TokenWindows.Batch b = data.next(tc.batchSize());
            loss = gpt.trainStep(b.x(), b.y(), tc.schedule().at(step), tc);
            mask.applyTo(gpt);
        }
        return loss;
    }
}
