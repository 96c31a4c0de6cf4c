package io.sparkgpt.trainer.posttrain;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.TokenizerFiles;
import io.sparkgpt.tokenizer.chat.ChatTokens;
import io.sparkgpt.trainer.OuterOptimizer;
import io.sparkgpt.trainer.RoundOptions;
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
    /** Post-training's rounds: 10 of 10 local steps, a checkpoint every 5. */
    @Mixin
    public RoundOptions round = new RoundOptions(10, 10, 5);


    @Option(names = "--early-stop-metric", defaultValue = "val_loss",
            description = "validation figure that early stopping and 'best' follow (val_loss, exact_match, ...; "
                    + "prefix max: or min: to force the direction) (default: ${DEFAULT-VALUE})")
    public String earlyStopMetric;

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
        return round.runConfig(opt, blockSize, run.seed);
    }

    public TrainConfig trainConfig() {
        return opt.trainConfig(TrainConfig.defaults().withSeed(run.seed), round.decaySteps(round.maxRounds),
                opt.batchSize);
    }

    public StopRule stopRule() {
        return StopRule.parse(earlyStopMetric, round.patience);
    }
}
