package io.sparkgpt.trainer.align;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.spark.Sessions;
import io.sparkgpt.tokenizer.chat.BadRecords;
import io.sparkgpt.tokenizer.chat.ChatTemplate;
import io.sparkgpt.trainer.DistributedTrainer;
import io.sparkgpt.trainer.LocalTrainer;
import io.sparkgpt.trainer.ModelFactory;
import io.sparkgpt.trainer.RunConfig;
import io.sparkgpt.trainer.StopRule;
import io.sparkgpt.trainer.Validation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/** What the three alignment jobs do alike: the plan's pieces, the Spark run, the final model file. */
final class AlignRun {
    private AlignRun() {}

    /**
     * Resolves {@code --init} (a model.ckpt, or a run folder holding {@code model/model.ckpt}) in place and returns
     * the model's shape from it.
     */
    static GPTConfig initConfig(Storage storage, AlignOptions o) {
        String inRun = Storage.child(o.init, "model/model.ckpt");
        if (storage.exists(inRun)) {
            o.init = inRun;
        }
        storage.requireExists("--init checkpoint", o.init);
        return Checkpoint.load(storage, o.init).config();
    }

    /**
     * What every alignment job starts from: the {@code --init} model's shape, the engine's and the optimizer's
     * settings, the chat template, and the vocabulary with the chat tokens.
     */
    record Setup(GPTConfig model, RunConfig run, TrainConfig tc, ChatTemplate template, int vocab) {
    }

    /** The setup of {@code o} (resolving {@code --init} in place); a bad value is a usage error. */
    static Setup setup(Storage storage, AlignOptions o) {
        GPTConfig cfg = initConfig(storage, o);
        RunConfig run = o.runConfig(cfg.blockSize());
        TrainConfig tc = o.trainConfig();
        ChatTemplate t = AlignData.template(storage, o.tokenizer);
        return new Setup(cfg, run, tc, t, Math.max(cfg.vocabSize(), t.tokenizer().vocabSize()));
    }

    /**
     * What a job hands over to make its plan: its setup, whether the model carries a scalar head (reward, PPO's
     * value), the shards, local work, validation, default figure and the final model's metadata.
     */
    record Parts<S>(String jobName, Setup setup, boolean withHead, List<S> shards, String engineName,
                    LocalTrainer<S> trainer, Validation validation, String defaultMetric, String headKey,
                    Map<String, String> meta) {
    }

    /**
     * The plan of {@code parts} for the records read ({@code train}/{@code val} kept, {@code bad} skipped); no usable
     * training record is a usage error naming the input.
     */
    static <S> AlignPlan<S> plan(Storage storage, AlignOptions o, Parts<S> parts, int train, int val, BadRecords bad,
                                 AutoCloseable resources) {
        return plan(storage, o, parts, train, val, bad, resources, Map.of());
    }

    /** As above, with {@code files} (name -> text) that the run folder gets beside {@code data-stats.json}. */
    static <S> AlignPlan<S> plan(Storage storage, AlignOptions o, Parts<S> parts, int train, int val, BadRecords bad,
                                 AutoCloseable resources, Map<String, String> files) {
        if (train == 0) {
            throw new UsageException(o.data + ": no usable training records (" + bad.counts() + ")"
                    + (bad.messages().isEmpty() ? "" : "; the first skipped: " + bad.messages().get(0)));
        }
        StopRule rule = StopRule.parse(o.earlyStopMetric == null ? parts.defaultMetric() : o.earlyStopMetric,
                o.round.patience);
        Setup s = parts.setup();
        ModelFactory factory = AlignModel.factory(o.init, s.vocab(), s.tc(), parts.withHead(), o.run.seed);
        return new AlignPlan<>(parts.jobName(), o, s.run(), factory, parts.shards(),
                new DistributedTrainer.Job<>(parts.engineName(), parts.trainer(), parts.validation(), rule),
                finalModel(storage, o, s.tc(), parts.headKey(), parts.meta()), train, val, bad, resources,
                files);
    }

    /** Writes {@code model/model.ckpt} (with the head, if any, in its metadata). */
    private static DistributedTrainer.FinalModelWriter finalModel(Storage storage, AlignOptions o, TrainConfig tc,
                                                                  String headKey, Map<String, String> meta) {
        return (m, dir, p) -> {
            AlignModel am = (AlignModel) m;
            Map<String, String> all = new LinkedHashMap<>(meta);
            all.put("init", o.init);
            all.put("data", o.data);
            all.put("tokenizer", o.tokenizer);
            if (headKey != null) {
                all.put(headKey, am.head().encode());
            }
            Checkpoint.of(am.gpt(), tc, p.steps(), List.of(), p.bestValLoss() == null ? Double.MAX_VALUE
                    : p.bestValLoss(), 0, all).save(storage, Storage.child(dir, "model.ckpt"));
            storage.markComplete(dir);
        };
    }

    /**
     * A job's {@code call}: its plan, then the run folder prepared, the data report, and the plan trained by
     * parameter averaging over {@code --workers} Spark tasks.
     */
    static int onSpark(String appName, AlignJob job) {
        SparkSession spark = Sessions.getOrCreate(appName);
        try {
            Storage storage = new Storage(spark.sparkContext().hadoopConfiguration());
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            try (AlignPlan<?> p = job.plan(storage, ShardMap.onSpark(sc))) {
                p.options().run.prepareOutput(storage);
                p.report(storage, System.out);
                train(sc, storage, p);
            }
            return Cli.EXIT_OK;
        } finally {
            spark.stop();
        }
    }

    private static <S> DistributedTrainer.Summary train(JavaSparkContext sc, Storage storage, AlignPlan<S> p) {
        AlignOptions o = p.options();
        DistributedTrainer<S> t = new DistributedTrainer<>(sc, storage, p.run(), p.factory(),
                sc.parallelize(p.shards(), o.round.workers), p.shardSizes(), p.job(), o.run.output, System.out);
        return t.run(o.run.resume, p.finalModel());
    }

    /** Validation figures as the engine wants them (numbers only). */
    static Map<String, Double> doubles(Map<String, Object> m) {
        Map<String, Double> out = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            if (v instanceof Number n) {
                out.put(k, n.doubleValue());
            }
        });
        return out;
    }
}
