package io.sparkgpt.trainer;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.TokenWindows;
import io.sparkgpt.spark.Sessions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code evaluate}: the retraining cycle's gate. Loss of a candidate model and of the model in service
 * ({@code --baseline}) on fixed held-out token sets (the earlier validation set, {@code --old}, and the new crawl's,
 * {@code --new}); the candidate is promoted when it is not worse on the old set by more than
 * {@code --max-old-regression} and better on the new set by at least {@code --min-new-gain}. Writes
 * {@code --output} (JSON: losses, the gate, {@code promote} and why) atomically; exit 0 whatever the decision.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluates a candidate and the model in service on held-out token sets and applies the "
                + "promotion gate.")
public final class PromotionGateJob implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "candidate: a model.ckpt or a run folder")
    String model;
    @Option(names = "--baseline", required = true, description = "the model in service: a model.ckpt or a folder "
            + "holding model.ckpt (or model/model.ckpt)")
    String baseline;
    @Option(names = "--new", required = true, description = "the new crawl's validation tokens (tokens/val)")
    String newSet;
    @Option(names = "--old", description = "the earlier validation tokens; absent: the gate only looks at --new")
    String oldSet;
    @Option(names = "--output", required = true, description = "the evaluation and decision (JSON)")
    String output;
    @Option(names = "--max-old-regression", defaultValue = "0.05",
            description = "largest allowed rise of the loss on the old set, nats/token (default: ${DEFAULT-VALUE})")
    double maxOldRegression;
    @Option(names = "--min-new-gain", defaultValue = "0.0",
            description = "the loss on the new set must fall by more than this, nats/token (default: ${DEFAULT-VALUE})")
    double minNewGain;
    @Option(names = "--max-tokens", defaultValue = "65536",
            description = "tokens read from each set, in doc_id order (default: ${DEFAULT-VALUE})")
    int maxTokens;

    public static void main(String[] args) {
        Cli.main(new PromotionGateJob(), args);
    }

    @Override
    public Integer call() {
        SparkSession spark = Sessions.getOrCreate("sparkgpt-evaluate");
        try {
            Storage storage = new Storage(spark.sparkContext().hadoopConfiguration());
            Checkpoint cand = load(storage, "--model", model);
            Checkpoint base = load(storage, "--baseline", baseline);
            storage.requireExists("new validation tokens", newSet);
            Map<String, int[]> sets = new LinkedHashMap<>();
            if (oldSet != null) {
                storage.requireExists("old validation tokens", oldSet);
                sets.put("old", TokenShards.readValidation(spark, oldSet, maxTokens));
            }
            sets.put("new", TokenShards.readValidation(spark, newSet, maxTokens));
            Map<String, Double> c = losses(cand, sets);
            Map<String, Double> b = losses(base, sets);

            StringBuilder why = new StringBuilder();
            boolean promote = true;
            double newGain = b.get("new") - c.get("new");
            if (!(newGain > minNewGain)) {
                promote = false;
                why.append(String.format("new-set loss %.4f vs %.4f in service: gain %.4f <= %.4f; ", c.get("new"),
                        b.get("new"), newGain, minNewGain));
            }
            if (c.containsKey("old")) {
                double rise = c.get("old") - b.get("old");
                if (rise > maxOldRegression) {
                    promote = false;
                    why.append(String.format("old-set loss %.4f vs %.4f in service: rise %.4f > %.4f; ",
                            c.get("old"), b.get("old"), rise, maxOldRegression));
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model", model);
            out.put("baseline", baseline);
            out.put("sets", oldSet == null ? Map.of("new", newSet) : Map.of("old", oldSet, "new", newSet));
            out.put("tokens", Map.copyOf(sizes(sets)));
            out.put("candidate", c);
            out.put("in_service", b);
            out.put("gate", Map.of("max_old_regression", maxOldRegression, "min_new_gain", minNewGain));
            out.put("promote", promote);
            out.put("reason", promote ? "gate holds" : why.toString().trim());
            storage.writeString(output, Json.write(out));
            System.out.println("evaluate: candidate " + c + ", in service " + b + " -> "
                    + (promote ? "promote" : "keep the model in service (" + out.get("reason") + ")"));
            return Cli.EXIT_OK;
        } finally {
            spark.stop();
        }
    }

    private static Map<String, Integer> sizes(Map<String, int[]> sets) {
        Map<String, Integer> m = new LinkedHashMap<>();
        sets.forEach((k, v) -> m.put(k, v.length));
        return m;
    }

    /** A model.ckpt, or a folder holding model.ckpt or model/model.ckpt. */
    static Checkpoint load(Storage storage, String option, String path) {
        String p = path;
        if (!p.endsWith(".ckpt")) {
            String direct = Storage.child(p, PretrainJob.MODEL_FILE);
            p = storage.exists(direct) ? direct : Storage.child(Storage.child(p, "model"), PretrainJob.MODEL_FILE);
        }
        if (!storage.exists(p)) {
            throw new UsageException(option + " " + path + ": no model (no " + p + ")");
        }
        try {
            return Checkpoint.load(storage, p);
        } catch (IllegalArgumentException e) {
            throw new UsageException(option + " " + path + ": " + e.getMessage(), e);
        }
    }

    /** Mean loss per token over the non-overlapping windows of each set. */
    static Map<String, Double> losses(Checkpoint ck, Map<String, int[]> sets) {
        Map<String, Double> out = new LinkedHashMap<>();
        int t = ck.config().blockSize();
        try (GPT gpt = ck.toModel()) {
            for (Map.Entry<String, int[]> e : sets.entrySet()) {
                int[] tokens = e.getValue();
                for (int id : tokens) {
                    if (id >= ck.config().vocabSize()) {
                        throw new UsageException("the " + e.getKey() + " set holds token id " + id + ", beyond the "
                                + "model's vocabulary " + ck.config().vocabSize() + " (another tokenizer?)");
                    }
                }
                if (tokens.length < t + 1) {
                    throw new UsageException("the " + e.getKey() + " set has " + tokens.length + " tokens, fewer "
                            + "than one window of " + (t + 1));
                }
                TokenWindows w = new TokenWindows(tokens, t, 0);
                int n = w.numSequentialWindows();
                double sum = 0;
                for (int i = 0; i < n; i += 16) {
                    int rows = Math.min(16, n - i);
                    TokenWindows.Batch b = w.sequential(i, rows);
                    sum += gpt.loss(b.x(), b.y()) * rows;
                }
                out.put(e.getKey(), sum / n);
            }
        }
        return out;
    }
}
