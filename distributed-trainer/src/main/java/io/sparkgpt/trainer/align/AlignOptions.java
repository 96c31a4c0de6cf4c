package io.sparkgpt.trainer.align;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.trainer.OuterOptimizer;
import io.sparkgpt.trainer.RoundOptions;
import io.sparkgpt.trainer.RunConfig;
import io.sparkgpt.model.cli.OptimizerOptions;
import io.sparkgpt.model.cli.RunOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options the alignment jobs share (input, model, schedule, workers, evaluation, checkpoints), one mixin. */
public final class AlignOptions {
    @Option(names = "--data", required = true, description = "JSONL input (.gz read as gzip; local or s3a://)")
    public String data;
    @Option(names = "--tokenizer", required = true, description = "tokenizer folder (vocab.json, merges.txt); the "
            + "chat tokens are added if missing")
    public String tokenizer;
    @Option(names = "--init", required = true, description = "starting model: a model.ckpt (pretraining or SFT); "
            + "for DPO and PPO also the frozen reference")
    public String init;
    @Mixin
    public RunOptions run = new RunOptions();
    /** Alignment's optimizer defaults: a tenth of post-training's learning rate, no warmup, no decay. */
    @Mixin
    public OptimizerOptions opt = new OptimizerOptions(TrainConfig.defaults().withLearningRate(1e-4).withMinLr(1e-5)
            .withWarmupSteps(0).withWeightDecay(0).withBatch(8, 1));
    /** Alignment's rounds: 10 of 5 local steps, a checkpoint every round. */
    @Mixin
    public RoundOptions round = new RoundOptions(10, 5, 1);

    @Option(names = "--micro-batch", defaultValue = "16", description = "rows per forward/backward (default: ${DEFAULT-VALUE})")
    public int microBatch;
    @Option(names = "--early-stop-metric", description = "validation figure that early stopping and 'best' follow; "
            + "prefix max: or min: to set the direction (default: the job's own)")
    public String earlyStopMetric;
    @Option(names = "--val-percent", defaultValue = "10",
            description = "share of records held out, by a hash of the record (default: ${DEFAULT-VALUE})")
    public int valPercent;

    /** The engine's settings for a model of context {@code blockSize}. */
    public RunConfig runConfig(int blockSize) {
        if (valPercent < 1 || valPercent > 50) {
            throw new UsageException("--val-percent " + valPercent + " is out of range 1..50");
        }
        return round.runConfig(opt, blockSize, run.seed);
    }

    /** The inner optimizer (AdamW) and micro-batching (rows per forward/backward, at most two per example). */
    public TrainConfig trainConfig() {
        int micro = Math.max(1, Math.min(microBatch, 2 * opt.batchSize));
        return opt.optimizer(TrainConfig.defaults().withSeed(run.seed), round.decaySteps(round.maxRounds))
                .withBatch(micro, 1);
    }
}
