package io.sparkgpt.trainer.align;

import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.tokenizer.chat.BadRecords;
import io.sparkgpt.trainer.DistributedTrainer;
import io.sparkgpt.trainer.ModelFactory;
import io.sparkgpt.trainer.RunConfig;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an alignment command line trains, read and checked with nothing written: the engine's settings, the model,
 * the workers' shards, the local work, validation and stopping rule, and the final model's writer. The job runs it
 * on Spark ({@link AlignRun#onSpark}); a tuning trial runs it with one worker in its own task
 * ({@code io.sparkgpt.trainer.tune.AlignTarget}). {@code resources} (null: none) close with the plan: PPO's
 * driver-side reference model. {@code files} (name -> text) go into the run folder with the report: DPO's
 * {@code on-policy.json}.
 */
public record AlignPlan<S>(String jobName, AlignOptions options, RunConfig run, ModelFactory factory, List<S> shards,
                           DistributedTrainer.Job<S> job, DistributedTrainer.FinalModelWriter finalModel,
                           int trainRecords, int heldOutRecords, BadRecords skipped, AutoCloseable resources,
                           Map<String, String> files)
        implements AutoCloseable {

    /** Rows per shard: the engine's shard sizes. */
    public List<Long> shardSizes() {
        List<Long> sizes = new ArrayList<>();
        for (S s : shards) {
            sizes.add((long) ((List<?>) s).size());
        }
        return sizes;
    }

    /** {@code data-stats.json} in the run folder: records kept (train/held-out), skipped by reason, the first ones. */
    public void report(Storage storage, PrintStream out) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("job", jobName);
        s.put("input", options.data);
        s.put("train", trainRecords);
        s.put("held_out", heldOutRecords);
        s.put("skipped", skipped.total());
        s.put("skipped_by_reason", skipped.counts());
        s.put("skipped_examples", skipped.messages());
        storage.writeString(Storage.child(options.run.output, "data-stats.json"), Json.write(s));
        files.forEach((name, text) -> storage.writeString(Storage.child(options.run.output, name), text));
        out.printf("%s: %,d train, %,d held out, %,d skipped %s%n", jobName, trainRecords, heldOutRecords,
                skipped.total(), skipped.counts());
        for (String m : skipped.messages().subList(0, Math.min(5, skipped.messages().size()))) {
            out.println("  skipped " + m);
        }
    }

    @Override
    public void close() {
        if (resources == null) {
            return;
        }
        try {
            resources.close();
        } catch (Exception e) {
            throw new IllegalStateException(jobName + ": cannot release the plan's resources", e);
        }
    }
}
