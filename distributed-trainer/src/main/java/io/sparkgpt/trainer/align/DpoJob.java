package io.sparkgpt.trainer.align;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.align.Batches;
import io.sparkgpt.model.align.DpoTask;
import io.sparkgpt.model.align.PreferenceTokens;
import io.sparkgpt.tokenizer.chat.BadRecords;
import io.sparkgpt.trainer.LocalModel;
import io.sparkgpt.trainer.LocalTrainer;
import io.sparkgpt.trainer.LocalWork;
import io.sparkgpt.trainer.RoundContext;
import io.sparkgpt.trainer.Validation;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dpo.sh}: Direct Preference Optimisation of the {@code --init} model against a frozen copy of itself, by
 * parameter averaging. The reference's log-probabilities of every pair are computed once, on the executors, and
 * travel with the pairs. Reports the held-out preference accuracy of the implicit reward and the chosen/rejected
 * log-probability margins.
 */
@Command(name = "dpo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "DPO on preference pairs (JSONL: prompt/chosen/rejected or hh-rlhf) from a --init model.")
public final class DpoJob implements Callable<Integer>, AlignJob {
    @Mixin
    AlignOptions o = new AlignOptions();
    @Option(names = "--beta", defaultValue = "0.1", description = "DPO beta (default: ${DEFAULT-VALUE})")
    double beta;

    public static void main(String[] args) {
        Cli.main(new DpoJob(), args);
    }

    /** A pair with its reference log-probabilities (chosen, rejected). */
    record Example(PreferenceTokens pair, double refChosen, double refRejected) implements Serializable {}

    /** A worker's round: {@code localSteps} DPO steps on batches of its pairs. */
    record Trainer(double beta) implements LocalTrainer<ArrayList<Example>> {
        @Override
        public LocalWork train(LocalModel model, ArrayList<Example> shard, RoundContext ctx) {
            AlignModel am = (AlignModel) model;
            double lossSum = 0;
            long tokens = 0;
            for (int i = 0; i < ctx.cfg().localSteps(); i++) {
                List<Example> ex = Batches.draw(shard, ctx.cfg().batchSize(), ctx.dataSeed(), i);
                List<PreferenceTokens> batch = new ArrayList<>();
                double[][] ref = new double[ex.size()][];
                for (int k = 0; k < ex.size(); k++) {
                    batch.add(ex.get(k).pair());
                    ref[k] = new double[] {ex.get(k).refChosen(), ex.get(k).refRejected()};
                    tokens += ex.get(k).pair().chosen().length() + ex.get(k).pair().rejected().length();
                }
                double loss = (double) DpoTask.step(am.gpt(), batch, ref, beta, ctx.lr(i), am.train()).get("loss");
                ctx.checkFinite(loss, i);
                lossSum += loss;
            }
            return new LocalWork(lossSum, ctx.cfg().localSteps(), tokens);
        }
    }

    /** Held-out DPO loss, implicit-reward accuracy and margins, log-prob margins. */
    record HeldOut(List<PreferenceTokens> val, double[][] ref, double beta) implements Validation {
        @Override
        public boolean available() {
            return !val.isEmpty();
        }

        @Override
        public Map<String, Double> evaluate(LocalModel model) {
            return AlignRun.doubles(DpoTask.evaluate(((AlignModel) model).gpt(), val, ref, beta));
        }
    }

    @Override
    public Integer call() {
        return AlignRun.onSpark("sparkgpt-dpo", this);
    }

    @Override
    public AlignPlan<ArrayList<Example>> plan(Storage storage, ShardMap shardMap) {
        if (!(beta > 0)) {
            throw new UsageException("--beta must be > 0: " + beta);
        }
        AlignRun.Setup s = AlignRun.setup(storage, o);
        BadRecords bad = new BadRecords();
        AlignData.Split<PreferenceTokens> data = AlignData.preferences(storage, o.data, s.template(),
                s.model().blockSize(), o.valPercent, bad);
        int vocab = s.vocab();
        // the frozen reference's log-probs: once per pair, per shard (on the executors), in the shards' layout
        String init = o.init;
        long seed = o.run.seed;
        List<ArrayList<Example>> shards = shardMap.map(AlignData.deal(data.train(), o.round.workers), part -> {
            try (GPT ref = AlignModel.load(init, vocab, seed)) {
                double[][] lp = DpoTask.sequenceLogProbs(ref, part);
                ArrayList<Example> out = new ArrayList<>();
                for (int i = 0; i < part.size(); i++) {
                    out.add(new Example(part.get(i), lp[i][0], lp[i][1]));
                }
                return out;
            }
        });
        double[][] refVal;
        try (GPT ref = AlignModel.load(init, vocab, seed)) {
            refVal = DpoTask.sequenceLogProbs(ref, data.val());
        }
        return AlignRun.plan(storage, o, new AlignRun.Parts<>("dpo", s, false, shards,
                        "sparkgpt DPO (beta " + beta + ")", new Trainer(beta), new HeldOut(data.val(), refVal, beta),
                        "val_accuracy", null, Map.of("trainer", DpoJob.class.getName(), "dpo.beta",
                        Double.toString(beta))),
                data.train().size(), data.val().size(), bad, null);
    }
}
