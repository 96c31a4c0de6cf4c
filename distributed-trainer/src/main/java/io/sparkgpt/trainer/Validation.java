package io.sparkgpt.trainer;

import java.util.Map;

/**
 * Driver-side evaluation of the averaged model on held-out data, the other half of a kind of training (beside its
 * {@link LocalTrainer}). It returns named figures; {@link #LOSS} is the one the loss chart plots, and the run's
 * {@link StopRule} picks the one early stopping and "best" follow (any of them: loss, accuracy, exact match...).
 */
public interface Validation {
    /** The validation loss, plotted beside the training loss. */
    String LOSS = "val_loss";

    /** False when there is nothing to validate on (the run then never evaluates). */
    boolean available();

    /** Figures of {@code model} (already loaded with the averaged parameters); must not change its parameters. */
    Map<String, Double> evaluate(LocalModel model);
}
