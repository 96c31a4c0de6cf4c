package io.sparkgpt.trainer.align;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.model.align.Batches;
import io.sparkgpt.model.align.DpoTask;
import io.sparkgpt.model.align.PreferenceTokens;
import io.sparkgpt.spark.Sessions;
import io.sparkgpt.tokenizer.chat.BadRecords;
import io.sparkgpt.tokenizer.chat.ChatTemplate;
import io.sparkgpt.trainer.LocalModel;
import io.sparkgpt.trainer.LocalTrainer;
import io.sparkgpt.trainer.LocalWork;
import io.sparkgpt.trainer.RoundContext;
import io.sparkgpt.trainer.RunConfig;
import io.sparkgpt.trainer.Validation;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
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
public final class DpoJob implements Callable<Integer> {
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
        if (!(beta > 0)) {
            throw new UsageException("--beta must be > 0: " + beta);
        }
        SparkSession spark = Sessions.getOrCreate("sparkgpt-dpo");
        try {
            Storage storage = new Storage(spark.sparkContext().hadoopConfiguration());
            GPTConfig cfg = AlignRun.initConfig(storage, o);
            RunConfig run = o.runConfig(cfg.blockSize());
            TrainConfig tc = o.trainConfig();
            ChatTemplate t = AlignData.template(storage, o.tokenizer);
            o.run.prepareOutput(storage);
            BadRecords bad = new BadRecords();
            AlignData.Split<PreferenceTokens> data = AlignData.preferences(storage, o.data, t, cfg.blockSize(),
                    o.valPercent, bad);
            AlignRun.report(storage, o, "dpo", data.train().size(), data.val().size(), bad);
            int vocab = Math.max(cfg.vocabSize(), t.tokenizer().vocabSize());
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            // the frozen reference's log-probs: once per pair, on the executors, in the shards' layout
            String init = o.init;
            long seed = o.run.seed;
            List<ArrayList<Example>> shards = sc.parallelize(AlignData.deal(data.train(), o.round.workers), o.round.workers)
                    .map(part -> {
                        try (GPT ref = AlignModel.load(init, vocab, seed)) {
                            double[][] lp = DpoTask.sequenceLogProbs(ref, part);
                            ArrayList<Example> out = new ArrayList<>();
                            for (int i = 0; i < part.size(); i++) {
                                out.add(new Example(part.get(i), lp[i][0], lp[i][1]));
                            }
                            return out;
                        }
                    }).collect();
            double[][] refVal;
            try (GPT ref = AlignModel.load(init, vocab, seed)) {
                refVal = DpoTask.sequenceLogProbs(ref, data.val());
            }
            AlignRun.run(sc, storage, o, run, tc, AlignModel.factory(o.init, vocab, tc, false, o.run.seed), shards,
                    "sparkgpt DPO (beta " + beta + ")", new Trainer(beta), new HeldOut(data.val(), refVal, beta),
                    "val_accuracy", null, Map.of("trainer", DpoJob.class.getName(), "dpo.beta",
                            Double.toString(beta)));
            return Cli.EXIT_OK;
        } finally {
            spark.stop();
        }
    }
}
