package io.sparkgpt.model;

import io.sparkgpt.common.json.Json;

/**
 * Optimisation settings (nanoGPT's train.py globals). Immutable; validated on construction with errors naming the
 * field. Start from {@link #defaults()} (nanoGPT's shakespeare_char recipe) and change fields with the withers.
 *
 * @param learningRate       peak learning rate reached after warmup
 * @param minLr              floor of the cosine decay
 * @param warmupSteps        linear warmup length in optimizer steps
 * @param maxSteps           decay horizon (lr reaches {@code minLr} here) and, for the single-machine loop, the
 *                           number of optimizer steps to run
 * @param weightDecay        AdamW decoupled decay, applied to the 2-D weight matrices of the blocks (and an untied
 *                           LM head) only: never to LayerNorm gains, biases or the embeddings
 * @param beta1              Adam beta1
 * @param beta2              Adam beta2
 * @param eps                Adam epsilon
 * @param gradClip           clip gradients to this global L2 norm; 0 = no clipping
 * @param microBatchSize     sequences per forward/backward pass (memory bound)
 * @param gradAccumSteps     micro-batches per optimizer step; batch size = micro x accum
 * @param evalInterval       evaluate on validation every N steps (0 = only at the end)
 * @param evalSteps          validation batches per evaluation
 * @param patience           stop after this many evaluations without improvement (0 = never stop early)
 * @param seed               seed of model init, dropout and data order
 * @param checkpointInterval write a checkpoint every N steps (0 = at each evaluation)
 * @param decayEmbeddings    also decay the token and position embeddings (nanoGPT's configure_optimizers decays
 *                           every tensor of 2 or more dimensions, the tied embedding included); off by default
 */
public record TrainConfig(double learningRate, double minLr, int warmupSteps, int maxSteps, double weightDecay,
                          double beta1, double beta2, double eps, double gradClip, int microBatchSize,
                          int gradAccumSteps, int evalInterval, int evalSteps, int patience, long seed,
                          int checkpointInterval, boolean decayEmbeddings) {

    public TrainConfig {
        pos(learningRate > 0, "learningRate", learningRate);
        pos(minLr >= 0 && minLr <= learningRate, "minLr", minLr);
        pos(warmupSteps >= 0, "warmupSteps", warmupSteps);
        pos(maxSteps >= 1, "maxSteps", maxSteps);
        pos(weightDecay >= 0, "weightDecay", weightDecay);
        pos(beta1 >= 0 && beta1 < 1, "beta1", beta1);
        pos(beta2 >= 0 && beta2 < 1, "beta2", beta2);
        pos(eps > 0, "eps", eps);
        pos(gradClip >= 0, "gradClip", gradClip);
        pos(microBatchSize >= 1, "microBatchSize", microBatchSize);
        pos(gradAccumSteps >= 1, "gradAccumSteps", gradAccumSteps);
        pos(evalInterval >= 0, "evalInterval", evalInterval);
        pos(evalSteps >= 1, "evalSteps", evalSteps);
        pos(patience >= 0, "patience", patience);
        pos(checkpointInterval >= 0, "checkpointInterval", checkpointInterval);
    }

    private static void pos(boolean ok, String field, double value) {
        if (!ok) {
            throw new IllegalArgumentException("TrainConfig." + field + "=" + value + " is out of range");
        }
    }

    /** nanoGPT config/train_shakespeare_char.py with the CPU recipe's batch 12 and 2,000 iterations. */
    public static TrainConfig defaults() {
        return new TrainConfig(1e-3, 1e-4, 100, 2000, 0.1, 0.9, 0.99, 1e-8, 1.0, 12, 1, 250, 20, 0, 1337L, 0, false);
    }

    /** Sequences per optimizer step. */
    public int batchSize() {
        return microBatchSize * gradAccumSteps;
    }

    /** Whether a loop evaluates after optimizer step {@code step} (1-based): every {@code evalInterval} steps. */
    public boolean evaluatesAt(long step) {
        return evalInterval > 0 && step % evalInterval == 0;
    }

    /** Whether a loop checkpoints after {@code step}: every {@code checkpointInterval} steps, or with each evaluation. */
    public boolean checkpointsAt(long step, boolean evaluated) {
        return checkpointInterval > 0 ? step % checkpointInterval == 0 : evaluated;
    }

    /** Whether {@code bad} evaluations without improvement end the run. */
    public boolean patienceRunOut(int bad) {
        return patience > 0 && bad >= patience;
    }

    public LrSchedule schedule() {
        return new LrSchedule(learningRate, minLr, warmupSteps, maxSteps);
    }

    public TrainConfig withLearningRate(double v) { return new TrainConfig(v, Math.min(minLr, v), warmupSteps, maxSteps, weightDecay, beta1, beta2, eps, gradClip, microBatchSize, gradAccumSteps, evalInterval, evalSteps, patience, seed, checkpointInterval, decayEmbeddings); }
    public TrainConfig withMinLr(double v) { return new TrainConfig(learningRate, v, warmupSteps, maxSteps, weightDecay, beta1, beta2, eps, gradClip, microBatchSize, gradAccumSteps, evalInterval, evalSteps, patience, seed, checkpointInterval, decayEmbeddings); }
    public TrainConfig withWarmupSteps(int v) { return new TrainConfig(learningRate, minLr, v, maxSteps, weightDecay, beta1, beta2, eps, gradClip, microBatchSize, gradAccumSteps, evalInterval, evalSteps, patience, seed, checkpointInterval, decayEmbeddings); }
    public TrainConfig withMaxSteps(int v) { return new TrainConfig(learningRate, minLr, warmupSteps, v, weightDecay, beta1, beta2, eps, gradClip, microBatchSize, gradAccumSteps, evalInterval, evalSteps, patience, seed, checkpointInterval, decayEmbeddings); }
    public TrainConfig withWeightDecay(double v) { return new TrainConfig(learningRate, minLr, warmupSteps, maxSteps, v, beta1, beta2, eps, gradClip, microBatchSize, gradAccumSteps, evalInterval, evalSteps, patience, seed, checkpointInterval, decayEmbeddings); }
    public TrainConfig withBetas(double b1, double b2) { return new TrainConfig(learningRate, minLr, warmupSteps, maxSteps, weightDecay, b1, b2, eps, gradClip, microBatchSize, gradAccumSteps, evalInterval, evalSteps, patience, seed, checkpointInterval, decayEmbeddings); }
    public TrainConfig withGradClip(double v) { return new TrainConfig(learningRate, minLr, warmupSteps, maxSteps, weightDecay, beta1, beta2, eps, v, microBatchSize, gradAccumSteps, evalInterval, evalSteps, patience, seed, checkpointInterval, decayEmbeddings); }
    public TrainConfig withBatch(int micro, int accum) { return new TrainConfig(learningRate, minLr, warmupSteps, maxSteps, weightDecay, beta1, beta2, eps, gradClip, micro, accum, evalInterval, evalSteps, patience, seed, checkpointInterval, decayEmbeddings); }
    public TrainConfig withEval(int interval, int steps) { return new TrainConfig(learningRate, minLr, warmupSteps, maxSteps, weightDecay, beta1, beta2, eps, gradClip, microBatchSize, gradAccumSteps, interval, steps, patience, seed, checkpointInterval, decayEmbeddings); }
    public TrainConfig withPatience(int v) { return new TrainConfig(learningRate, minLr, warmupSteps, maxSteps, weightDecay, beta1, beta2, eps, gradClip, microBatchSize, gradAccumSteps, evalInterval, evalSteps, v, seed, checkpointInterval, decayEmbeddings); }
    public TrainConfig withSeed(long v) { return new TrainConfig(learningRate, minLr, warmupSteps, maxSteps, weightDecay, beta1, beta2, eps, gradClip, microBatchSize, gradAccumSteps, evalInterval, evalSteps, patience, v, checkpointInterval, decayEmbeddings); }
    public TrainConfig withDecayEmbeddings(boolean v) { return new TrainConfig(learningRate, minLr, warmupSteps, maxSteps, weightDecay, beta1, beta2, eps, gradClip, microBatchSize, gradAccumSteps, evalInterval, evalSteps, patience, seed, checkpointInterval, v); }
    public TrainConfig withCheckpointInterval(int v) { return new TrainConfig(learningRate, minLr, warmupSteps, maxSteps, weightDecay, beta1, beta2, eps, gradClip, microBatchSize, gradAccumSteps, evalInterval, evalSteps, patience, seed, v, decayEmbeddings); }

    public String toJson() {
        return Json.write(this);
    }

    public static TrainConfig fromJson(String json) {
        return Json.read(json, TrainConfig.class);
    }
}
