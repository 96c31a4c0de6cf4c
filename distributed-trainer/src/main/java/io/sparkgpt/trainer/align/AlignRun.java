package io.sparkgpt.trainer.align;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.tokenizer.chat.BadRecords;
import io.sparkgpt.trainer.DistributedTrainer;
import io.sparkgpt.trainer.LocalTrainer;
import io.sparkgpt.trainer.ModelFactory;
import io.sparkgpt.trainer.RunConfig;
import io.sparkgpt.trainer.StopRule;
import io.sparkgpt.trainer.Validation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/** What the three alignment jobs do alike: output folder, data report, the engine run, the final model file. */
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

    /** {@code data-stats.json}: records kept (train/held-out) and skipped by reason, with the first messages. */
    static void report(Storage storage, AlignOptions o, String job, int train, int val, BadRecords bad) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("job", job);
        s.put("input", o.data);
        s.put("train", train);
        s.put("held_out", val);
        s.put("skipped", bad.total());
        s.put("skipped_by_reason", bad.counts());
        s.put("skipped_examples", bad.messages());
        storage.writeString(Storage.child(o.run.output, "data-stats.json"), Json.write(s));
        System.out.printf("%s: %,d train, %,d held out, %,d skipped %s%n", job, train, val, bad.total(), bad.counts());
        for (String m : bad.messages().subList(0, Math.min(5, bad.messages().size()))) {
            System.out.println("  skipped " + m);
        }
        if (train == 0) {
            throw new UsageException(o.data + ": no usable training records (" + bad.counts() + ")");
        }
    }

    /** Runs the engine and writes {@code model/model.ckpt} (with the head, if any, in its metadata). */
    static <S> DistributedTrainer.Summary run(JavaSparkContext sc, Storage storage, AlignOptions o, RunConfig run,
                                              TrainConfig tc, ModelFactory factory, List<S> shards, String name,
                                              LocalTrainer<S> trainer, Validation validation, String defaultMetric,
                                              String headKey, Map<String, String> meta) {
        JavaRDD<S> rdd = sc.parallelize(shards, o.round.workers);
        List<Long> sizes = new ArrayList<>();
        for (S s : shards) {
            sizes.add((long) ((List<?>) s).size());
        }
        StopRule rule = StopRule.parse(o.earlyStopMetric == null ? defaultMetric : o.earlyStopMetric, o.round.patience);
        DistributedTrainer<S> t = new DistributedTrainer<>(sc, storage, run, factory, rdd, sizes,
                new DistributedTrainer.Job<>(name, trainer, validation, rule), o.run.output, System.out);
        return t.run(o.run.resume, (m, dir, p) -> {
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
        });
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
