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
    @Option(names = "--output", required = true, description = "run folder: checkpoints, metrics.jsonl, loss.png, "
            + "metrics.png, stats.json, tokenizer/, model/")
    public String output;

    @Option(names = "--workers", defaultValue = "2", description = "parallel tasks per round (default: ${DEFAULT-VALUE})")
    public int workers;
    @Option(names = "--max-rounds", defaultValue = "10", description = "rounds to run (default: ${DEFAULT-VALUE})")
    public int maxRounds;
    @Option(names = "--local-steps", defaultValue = "10",
            description = "optimizer steps per worker between averagings (default: ${DEFAULT-VALUE})")
    public int localSteps;
    @Option(names = "--batch-size", defaultValue = "8",
            description = "rows per optimizer step per worker (default: ${DEFAULT-VALUE})")
    public int batchSize;
    @Option(names = "--lr", defaultValue = "3e-4", description = "peak learning rate (default: ${DEFAULT-VALUE})")
    public double lr;
    @Option(names = "--min-lr", defaultValue = "3e-5", description = "cosine floor (default: ${DEFAULT-VALUE})")
    public double minLr;
    @Option(names = "--warmup", defaultValue = "10", description = "warmup steps (default: ${DEFAULT-VALUE})")
    public int warmup;
    @Option(names = "--weight-decay", defaultValue = "0.0", description = "AdamW decay (default: ${DEFAULT-VALUE})")
    public double weightDecay;
    @Option(names = "--beta2", defaultValue = "0.99", description = "AdamW beta2 (default: ${DEFAULT-VALUE})")
    public double beta2;
    @Option(names = "--grad-clip", defaultValue = "1.0", description = "global-norm clip, 0 = off (default: ${DEFAULT-VALUE})")
    public double gradClip;

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
    @Option(names = "--resume", description = "continue from the last complete checkpoint under --output")
    public boolean resume;
    @Option(names = "--overwrite", description = "delete --output first")
    public boolean overwrite;
    @Option(names = "--seed", defaultValue = "1337", description = "run seed (default: ${DEFAULT-VALUE})")
    public long seed;
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
        if (resume && overwrite) {
            throw new UsageException("--resume and --overwrite exclude each other");
        }
        int decay = maxRounds * localSteps;
        return new RunConfig(workers, maxRounds, localSteps, batchSize, blockSize, lr, minLr, warmup, decay, evalEvery,
                1, patience, checkpointEvery, keepCheckpoints, OuterOptimizer.Kind.NONE, 0.7, 0.9, seed, treeDepth);
    }

    public TrainConfig trainConfig() {
        try {
            return TrainConfig.defaults().withLearningRate(lr).withMinLr(minLr).withWarmupSteps(warmup)
                    .withMaxSteps(maxRounds * localSteps).withWeightDecay(weightDecay).withBetas(0.9, beta2)
                    .withGradClip(gradClip).withBatch(batchSize, 1).withSeed(seed);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    public StopRule stopRule() {
        return StopRule.parse(earlyStopMetric, patience);
    }

    /** Refuses to overwrite a run unless asked; removes the run's _SUCCESS (it is being changed). */
    public void prepareOutput(Storage storage) {
        if (overwrite) {
            storage.delete(output);
        } else if (!resume && (storage.exists(Storage.child(output, "checkpoints"))
                || storage.exists(Storage.child(output, "metrics.jsonl")))) {
            throw new UsageException("output " + output + " already holds a run: use --resume to continue it or "
                    + "--overwrite to start over");
        }
        storage.requireWritable(output);
        storage.delete(Storage.child(output, Storage.SUCCESS));
    }
}
