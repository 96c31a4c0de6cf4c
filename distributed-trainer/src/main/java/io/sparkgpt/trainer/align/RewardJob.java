package io.sparkgpt.trainer.align;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.model.align.Batches;
import io.sparkgpt.model.align.PreferenceTokens;
import io.sparkgpt.model.align.RewardModel;
import io.sparkgpt.model.align.RewardTask;
import io.sparkgpt.tokenizer.chat.BadRecords;
import io.sparkgpt.trainer.LocalModel;
import io.sparkgpt.trainer.LocalTrainer;
import io.sparkgpt.trainer.LocalWork;
import io.sparkgpt.trainer.RoundContext;
import io.sparkgpt.trainer.Validation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code train-reward.sh}: a reward model (the {@code --init} GPT's trunk + a scalar head read at the last token)
 * trained on preference pairs with the pairwise loss, by parameter averaging over {@code --workers} Spark tasks.
 * Reports the held-out pairwise accuracy beside chance and "the longer answer wins".
 */
@Command(name = "train-reward", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Trains a reward model on preference pairs (JSONL: prompt/chosen/rejected or hh-rlhf).")
public final class RewardJob implements Callable<Integer>, AlignJob {
    @Mixin
    AlignOptions o = new AlignOptions();

    public static void main(String[] args) {
        Cli.main(new RewardJob(), args);
    }

    /** A worker's round: {@code localSteps} pairwise-loss steps on batches of its pairs. */
    static final class Trainer implements LocalTrainer<ArrayList<PreferenceTokens>> {
        @Override
        public LocalWork train(LocalModel model, ArrayList<PreferenceTokens> shard, RoundContext ctx) {
            AlignModel am = (AlignModel) model;
            RewardModel rm = new RewardModel(am.gpt(), am.head());
            double lossSum = 0;
            long tokens = 0;
            for (int i = 0; i < ctx.cfg().localSteps(); i++) {
                List<PreferenceTokens> batch = Batches.draw(shard, ctx.cfg().batchSize(), ctx.dataSeed(), i);
                RewardModel.StepResult r = rm.gradient(batch, am.train());
                ctx.checkFinite(r.loss(), i);
                rm.update(ctx.lr(i), am.train());
                lossSum += r.loss();
                for (PreferenceTokens p : batch) {
                    tokens += p.chosen().length() + p.rejected().length();
                }
            }
            return new LocalWork(lossSum, ctx.cfg().localSteps(), tokens);
        }
    }

    /** Held-out pairwise accuracy, loss, margin and the two baselines. */
    record HeldOut(List<PreferenceTokens> val) implements Validation {
        @Override
        public boolean available() {
            return !val.isEmpty();
        }

        @Override
        public Map<String, Double> evaluate(LocalModel model) {
            AlignModel am = (AlignModel) model;
            return AlignRun.doubles(RewardTask.evaluate(new RewardModel(am.gpt(), am.head()), val));
        }
    }

    @Override
    public Integer call() {
        return AlignRun.onSpark("sparkgpt-train-reward", this);
    }

    @Override
    public AlignPlan<ArrayList<PreferenceTokens>> plan(Storage storage, ShardMap shards) {
        AlignRun.Setup s = AlignRun.setup(storage, o);
        BadRecords bad = new BadRecords();
        AlignData.Split<PreferenceTokens> data = AlignData.preferences(storage, o.data, s.template(),
                s.model().blockSize(), o.valPercent, bad);
        return AlignRun.plan(storage, o, new AlignRun.Parts<>("train-reward", s, true,
                        AlignData.deal(data.train(), o.round.workers), "sparkgpt reward model", new Trainer(),
                        new HeldOut(data.val()), "val_accuracy", RewardModel.HEAD_KEY,
                        Map.of("trainer", RewardJob.class.getName())),
                data.train().size(), data.val().size(), bad, null);
    }
}
