package io.sparkgpt.trainer;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.model.cli.ModelShapeOptions;
import io.sparkgpt.model.cli.OptimizerOptions;
import io.sparkgpt.model.cli.RunOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options both pretraining engines take (data, output, model, schedule, workers, evaluation, checkpoints, data
 * layout), as one picocli mixin: {@link PretrainJob} and {@code dl4jspark.Dl4jSparkPretrainJob} each hold one
 * ({@code @Mixin}) beside the options and checks of their own engine.
 */
public final class PretrainOptions {
    @Option(names = "--data", required = true, description = "tokens folder holding train/ and val/ (local or s3a://)")
    public String data;
    @Mixin
    public RunOptions run = new RunOptions();
    /** Pretraining's model defaults: smaller than {@code gpt train}'s (L2 H2 C64) so that a cluster run is quick. */
    @Mixin
    public ModelShapeOptions shape = new ModelShapeOptions(new GPTConfig(1, 64, 2, 2, 64, 0, false, true));
    /** Pretraining's optimizer defaults: {@link TrainConfig#defaults()} with batches of 8 per worker, warmup 20. */
    @Mixin
    public OptimizerOptions opt = new OptimizerOptions(TrainConfig.defaults().withBatch(8, 1).withWarmupSteps(20));
    /** Pretraining's rounds: 20 of 10 local steps, a checkpoint every 5. */
    @Mixin
    public RoundOptions round = new RoundOptions(20, 10, 5);

    @Option(names = "--max-steps", defaultValue = "0",
            description = "if > 0: rounds = ceil(max-steps / local-steps), overriding --max-rounds (default: ${DEFAULT-VALUE})")
    public int maxSteps;
    @Option(names = "--global-batch", defaultValue = "0",
            description = "sequences per optimizer step over all workers: each worker takes global-batch / workers "
                    + "(must divide; excludes --batch-size); 0 = use --batch-size (default: ${DEFAULT-VALUE})")
    public int globalBatch;
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--eval-windows", defaultValue = "64", description = "validation windows (default: ${DEFAULT-VALUE})")
    public int evalWindows;
    @Option(names = "--chunk-tokens", defaultValue = "4096",
            description = "documents are cut into chunks of this many tokens, dealt round-robin to workers (default: ${DEFAULT-VALUE})")
    public int chunkTokens;
    @Option(names = "--val-tokens", defaultValue = "1048576",
            description = "validation tokens read to the driver at most (default: ${DEFAULT-VALUE})")
    public int valTokens;

    /** Rounds to run: {@code ceil(--max-steps / --local-steps)} when {@code --max-steps > 0}, else {@code --max-rounds}. */
    public int rounds() {
        return maxSteps > 0 ? (maxSteps + round.localSteps - 1) / Math.max(1, round.localSteps) : round.maxRounds;
    }

    /** The model's vocabulary by {@link PretrainJob#vocabulary(Storage, String, int, int)}'s rule. */
    public int vocabulary(Storage storage, int maxId) {
        return PretrainJob.vocabulary(storage, data, shape.vocabSize, maxId);
    }

    /**
     * Sets {@code --batch-size} (per worker) from {@code --global-batch} when that is given, so that runs with
     * different {@code --workers} can be compared at the same global batch (same steps, same tokens per step); call
     * it first.
     */
    public void resolveBatch() {
        if (globalBatch == 0) {
            return;
        }
        if (globalBatch < 0) {
            throw new UsageException("--global-batch " + globalBatch + " must be >= 1 (or 0 for --batch-size)");
        }
        if (mixee != null && mixee.commandLine() != null
                && mixee.commandLine().getParseResult().hasMatchedOption("--batch-size")) {
            throw new UsageException("--global-batch and --batch-size exclude each other");
        }
        if (round.workers < 1 || globalBatch % round.workers != 0) {
            throw new UsageException("--global-batch " + globalBatch + " is not divisible by --workers " + round.workers
                    + ": each worker takes global-batch / workers sequences per step");
        }
        opt.batchSize = globalBatch / round.workers;
    }

    /** A chunk must hold at least one training window of {@code --block-size + 1} tokens. */
    public void requireWindowPerChunk() {
        if (chunkTokens < shape.blockSize + 1) {
            throw new UsageException("--chunk-tokens " + chunkTokens + " must be at least --block-size + 1");
        }
    }
}
