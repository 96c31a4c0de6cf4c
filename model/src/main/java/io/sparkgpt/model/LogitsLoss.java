package io.sparkgpt.model;

/**
 * A loss over one micro-batch's logits, computed outside the model: {@link GPT#gradient} runs the forward pass, hands
 * each micro-batch to {@link #apply}, then back-propagates what it wrote. Cross-entropy with ignored positions
 * ({@link CrossEntropyLoss}), DPO, PPO, a reward or value head on the trunk, distillation are all losses of this
 * kind; {@link GPT#forwardInference} uses the same interface to read logits without training.
 */
@FunctionalInterface
public interface LogitsLoss {
    /**
     * Called once per micro-batch, after the forward pass. {@code mb.logits()} holds the logits {@code [rows*T*V]}
     * (row-major: row, position, vocab id); the loss overwrites them IN PLACE with dLoss/dlogits (the gradient of the
     * loss of the WHOLE batch: already scaled, e.g. by 1/#tokens), and may ADD gradients w.r.t. the final hidden
     * state (the output of ln_f, {@code [rows*T*C]}) into {@code mb.hiddenGrad()} for heads that read the trunk
     * (reward or value head). Positions it must not train get a zero gradient (write 0, the buffer holds logits).
     *
     * <p>May be called from several threads at once for disjoint row ranges (the model splits a micro-batch over
     * its worker threads): write only state that belongs to your rows.
     *
     * @param row0 index of the micro-batch's first row in the whole batch
     * @return this micro-batch's share of the batch loss (summed over its rows); {@link GPT#gradient} returns the
     *         sum over micro-batches
     */
    double apply(int row0, MicroBatch mb);
}
