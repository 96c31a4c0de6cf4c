package io.sparkgpt.trainer;

import io.sparkgpt.model.cli.OptimizerOptions;
import picocli.CommandLine.Option;

/**
 * The rounds of every Spark training job (workers, rounds, local steps, decay horizon, evaluation and checkpoint
 * cadence, patience, treeAggregate depth), as one picocli mixin. A job's own defaults for rounds, local steps and
 * checkpoint cadence are given where it declares the mixin; the rest are the same for all.
 */
public final class RoundOptions {
    @Option(names = "--workers", description = "parallel tasks per round (the data shards, in pretraining) "
            + "(default: ${DEFAULT-VALUE})")
    public int workers = 2;
    @Option(names = "--max-rounds", description = "rounds to run (default: ${DEFAULT-VALUE})")
    public int maxRounds;
    @Option(names = "--local-steps", description = "optimizer steps per worker between averagings "
            + "(default: ${DEFAULT-VALUE})")
    public int localSteps;
    @Option(names = "--decay-steps", description = "cosine horizon in steps; 0 = rounds x local-steps (keep it "
            + "fixed to resume a run with more rounds bit for bit) (default: ${DEFAULT-VALUE})")
    public int decaySteps;
    @Option(names = "--eval-every", description = "validation every N rounds (and at the end); 0 = only at the end "
            + "(default: ${DEFAULT-VALUE})")
    public int evalEvery = 1;
    @Option(names = "--checkpoint-every", description = "checkpoint every N rounds (and at the end) "
            + "(default: ${DEFAULT-VALUE})")
    public int checkpointEvery;
    @Option(names = "--keep-checkpoints", description = "complete checkpoints kept (default: ${DEFAULT-VALUE})")
    public int keepCheckpoints = 2;
    @Option(names = "--patience", description = "stop after N evaluations without improvement; 0 = never "
            + "(default: ${DEFAULT-VALUE})")
    public int patience;
    @Option(names = "--tree-depth", description = "treeAggregate depth (default: ${DEFAULT-VALUE})")
    public int treeDepth = 2;

    /** Defaults of {@code maxRounds} rounds of {@code localSteps} steps, a checkpoint every {@code checkpointEvery}. */
    public RoundOptions(int maxRounds, int localSteps, int checkpointEvery) {
        this.maxRounds = maxRounds;
        this.localSteps = localSteps;
        this.checkpointEvery = checkpointEvery;
    }

    /** The cosine horizon in steps: {@code --decay-steps}, or all the steps of {@code rounds} rounds when 0. */
    public int decaySteps(int rounds) {
        return decaySteps > 0 ? decaySteps : rounds * localSteps;
    }

    /** The engine's settings for {@code rounds} rounds with an outer optimizer. */
    public RunConfig runConfig(int rounds, OptimizerOptions opt, int blockSize, int evalWindows,
                               OuterOptimizer.Kind outer, double outerLr, double outerMomentum, long seed) {
        return new RunConfig(workers, rounds, localSteps, opt.batchSize, blockSize, opt.schedule(decaySteps(rounds)),
                evalEvery, evalWindows, patience, checkpointEvery, keepCheckpoints, outer, outerLr, outerMomentum,
                seed, treeDepth);
    }

    /** The engine's settings for {@code --max-rounds} rounds of plain parameter averaging. */
    public RunConfig runConfig(OptimizerOptions opt, int blockSize, long seed) {
        return runConfig(maxRounds, opt, blockSize, 1, OuterOptimizer.Kind.NONE, 1.0, 0.0, seed);
    }
}
