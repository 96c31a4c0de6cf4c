package io.sparkgpt.trainer;

import io.sparkgpt.model.LrSchedule;

/**
 * The distributed run's settings (the model's own shape and optimiser settings live in the model module's
 * GPTConfig / TrainConfig; the learning-rate schedule is here too, so that each round task follows the run's).
 *
 * @param workers          partitions = workers training in parallel each round
 * @param rounds           rounds to run (the run may stop earlier on patience)
 * @param localSteps       optimiser steps each worker takes per round before averaging
 * @param batchSize        sequences per optimiser step per worker (micro-batch x grad-accum)
 * @param blockSize        tokens per sequence
 * @param schedule         the learning rate at each global optimiser step (warmup, cosine decay, floor)
 * @param evalEvery        validation every N rounds (and at the last round); 0 = only at the end
 * @param evalWindows      validation windows per evaluation
 * @param patience         stop after N evaluations without improvement; 0 = never
 * @param checkpointEvery  checkpoint every N rounds (and at the end); 0 = only at the end
 * @param keepCheckpoints  complete checkpoints kept (older ones are deleted)
 * @param seed             the run seed: model init, and each worker's windows via (seed, round, worker)
 * @param treeDepth        depth of Spark's treeAggregate
 */
public record RunConfig(int workers, int rounds, int localSteps, int batchSize, int blockSize, LrSchedule schedule,
                        int evalEvery, int evalWindows, int patience,
                        int checkpointEvery, int keepCheckpoints, OuterOptimizer.Kind outer, double outerLr,
                        double outerMomentum, long seed, int treeDepth) implements java.io.Serializable {
    public RunConfig {
        check(workers >= 1, "workers", workers);
        check(rounds >= 1, "rounds", rounds);
        check(localSteps >= 1, "local-steps", localSteps);
        check(batchSize >= 1, "batch-size", batchSize);
        check(blockSize >= 1, "block-size", blockSize);
        check(evalEvery >= 0, "eval-every", evalEvery);
        check(evalWindows >= 1, "eval-windows", evalWindows);
        check(patience >= 0, "patience", patience);
        check(checkpointEvery >= 0, "checkpoint-every", checkpointEvery);
        check(keepCheckpoints >= 1, "keep-checkpoints", keepCheckpoints);
        check(treeDepth >= 1, "tree-depth", treeDepth);
    }

    private static void check(boolean ok, String option, double value) {
        if (!ok) {
            throw new io.sparkgpt.common.cli.UsageException("--" + option + " " + value + " is out of range");
        }
    }

    public long tokensPerRound() {
        return (long) workers * localSteps * batchSize * blockSize;
    }
}
