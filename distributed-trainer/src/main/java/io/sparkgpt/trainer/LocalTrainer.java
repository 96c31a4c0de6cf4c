package io.sparkgpt.trainer;

import java.io.Serializable;

/**
 * The extension point of the parameter-averaging engine: what one worker does with its shard in one round. The
 * engine ({@link DistributedTrainer}) owns everything else - broadcasting the parameters and the averaged optimiser
 * state, loading them into the worker's model copy, reseeding its dropout, averaging the results, the outer step,
 * validation, early stopping, checkpoints, resume and metrics - so a new kind of training (pretraining on token
 * windows, SFT on masked chat examples, a reward model or DPO on preference pairs) is one class of this interface
 * plus a {@link Validation}.
 *
 * <p>Contract, for bit-for-bit resume and for Spark re-running a lost task: {@link #train} must be a pure function
 * of (model state as loaded, shard, context). Draw every random choice (which examples, in which order) from an RNG
 * seeded with {@link RoundContext#dataSeed()}, never from the clock or from state kept between calls.
 *
 * @param <S> one worker's shard: the single element of its partition (an {@code int[]} token stream for
 *            pretraining, a list of tokenized examples for post-training). Must be Serializable for Spark.
 */
@FunctionalInterface
public interface LocalTrainer<S> extends Serializable {
    /**
     * Takes {@code ctx.cfg().localSteps()} optimiser steps on {@code model} (already loaded with the round's
     * starting parameters and optimiser state) over {@code shard}, with the learning rate {@link RoundContext#lr}.
     */
    LocalWork train(LocalModel model, S shard, RoundContext ctx);
}
