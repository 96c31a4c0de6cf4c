package io.sparkgpt.trainer.posttrain;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.TokenizerFiles;
import io.sparkgpt.tokenizer.chat.ChatTokens;
import io.sparkgpt.trainer.OuterOptimizer;
import io.sparkgpt.trainer.RunConfig;
import io.sparkgpt.trainer.StopRule;
import io.sparkgpt.model.cli.OptimizerOptions;
import io.sparkgpt.model.cli.RunOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options every post-training job takes (SFT, reward model, DPO, PPO), as one picocli mixin: where the
 * trained model and its tokenizer are ({@code --init}, {@code --tokenizer}), the run folder, the parameter-averaging
 * schedule, early stopping on a chosen figure, resume. Each job holds one ({@code @Mixin}) beside its own options.
 */
public final class PostTrainOptions {
    @Option(names = "--init", required = true,
            description = "the trained model to start from: a model.ckpt, or a run folder holding model/model.ckpt "
                    + "(pretrain.sh, GptMain train, or another post-training job)")
    public String init;
    @Option(names = "--tokenizer", required = true,
            description = "the tokenizer folder of that model (vocab.json, merges.txt); the chat tokens are added if "
                    + "missing and the result is written to <output>/tokenizer")
    public String tokenizer;
    @Mixin
    public RunOptions run = new RunOptions();
    /** Post-training's optimizer defaults: a tenth of pretraining's learning rate, a short warmup, no decay. */
    @Mixin
    public OptimizerOptions opt = new OptimizerOptions(TrainConfig.defaults().withLearningRate(3e-4).withMinLr(3e-5)
            .withWarmupSteps(10).withWeightDecay(0).withBatch(8, 1));

    @Option(names = "--workers", defaultValue = "2", description = "parallel tasks per round (default: ${DEFAULT-VALUE})")
    public int workers;
    @Option(names = "--max-rounds", defaultValue = "10", description = "rounds to run (default: ${DEFAULT-VALUE})")
    public int maxRounds;
    @Option(names = "--local-steps", defaultValue = "10",
            description = "optimizer steps per worker between averagings (default: ${DEFAULT-VALUE})")
    public int localSteps;
    @Option(names = "--decay-steps", defaultValue = "0",
            description = "cosine horizon in steps; 0 = max-rounds x local-steps (keep it fixed to resume a run with "
                    + "more rounds bit for bit) (default: ${DEFAULT-VALUE})")
    public int decaySteps;

    @Option(names = "--eval-every", defaultValue = "1",
            description = "validation every N rounds (and at the end); 0 = only at the end (default: ${DEFAULT-VALUE})")
    public int evalEvery;
    @Option(names = "--early-stop-metric", defaultValue = "val_loss",
            description = "validation figure that early stopping and 'best' follow (val_loss, exact_match, ...; "
                    + "prefix max: or min: to force the direction) (default: ${DEFAULT-VALUE})")
    public String earlyStopMetric;
    @Option(names = "--patience", defaultValue = "0",
            description = "stop after N evaluations without improvement of --early-stop-metric; 0 = never "
                    + "(default: ${DEFAULT-VALUE})")
    public int patience;
    @Option(names = "--checkpoint-every", defaultValue = "5",
            description = "checkpoint every N rounds (and at the end) (default: ${DEFAULT-VALUE})")
    public int checkpointEvery;
    @Option(names = "--keep-checkpoints", defaultValue = "2", description = "complete checkpoints kept (default: ${DEFAULT-VALUE})")
    public int keepCheckpoints;
    @Option(names = "--tree-depth", defaultValue = "2", description = "treeAggregate depth (default: ${DEFAULT-VALUE})")
    public int treeDepth;

    /** The model file {@code --init} names. */
    public String initCheckpoint(Storage storage) {
        String p = init.endsWith(".ckpt") ? init : Storage.child(Storage.child(init, "model"), "model.ckpt");
        storage.requireExists("--init model", p);
        return p;
    }

    public Checkpoint loadInit(Storage storage) {
        return Checkpoint.load(storage, initCheckpoint(storage));
    }

    /** The tokenizer of {@code --tokenizer} with the chat tokens added (unchanged if it has them). */
    public BpeTokenizer chatTokenizer(Storage storage) {
        String dir = tokenizer;
        storage.requireExists("--tokenizer vocabulary", Storage.child(dir, TokenizerFiles.VOCAB));
        String tj = Storage.child(dir, TokenizerFiles.TOKENIZER_JSON);
        BpeTokenizer base = TokenizerFiles.fromStrings(storage.readString(Storage.child(dir, TokenizerFiles.VOCAB)),
                storage.readString(Storage.child(dir, TokenizerFiles.MERGES)),
                storage.exists(tj) ? storage.readString(tj) : null, dir);
        return ChatTokens.addTo(base);
    }

    public RunConfig runConfig(int blockSize) {
        if (run.resume && run.overwrite) {
            throw new UsageException("--resume and --overwrite exclude each other");
        }
        int decay = decaySteps();
        return new RunConfig(workers, maxRounds, localSteps, opt.batchSize, blockSize, opt.schedule(decay),
                evalEvery, 1, patience, checkpointEvery, keepCheckpoints, OuterOptimizer.Kind.NONE, 0.7, 0.9, run.seed,
                treeDepth);
    }

    public TrainConfig trainConfig() {
        return opt.trainConfig(TrainConfig.defaults().withSeed(run.seed), decaySteps(), opt.batchSize);
    }

    public int decaySteps() {
        return decaySteps > 0 ? decaySteps : maxRounds * localSteps;
    }

    public StopRule stopRule() {
        return StopRule.parse(earlyStopMetric, patience);
    }
}
