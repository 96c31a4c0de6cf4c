package io.sparkgpt.trainer.posttrain;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.model.posttrain.Augmenter;
import io.sparkgpt.model.posttrain.SftData;
import io.sparkgpt.model.posttrain.SftRow;
import io.sparkgpt.spark.Sessions;
import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.TokenizerFiles;
import io.sparkgpt.tokenizer.chat.BadRecords;
import io.sparkgpt.tokenizer.chat.ChatExample;
import io.sparkgpt.tokenizer.chat.ChatJsonl;
import io.sparkgpt.tokenizer.chat.ChatTemplate;
import io.sparkgpt.trainer.DistributedTrainer;
import io.sparkgpt.trainer.GptModel;
import io.sparkgpt.trainer.RunConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spark-submit --class io.sparkgpt.trainer.posttrain.SftJob distributed-trainer-job.jar --init <model>
 * --tokenizer <dir> --train <jsonl> [--val <jsonl>] --output <run>}: supervised fine-tuning of a trained GPT on chat
 * examples, with the loss on assistant tokens only, by the same parameter averaging as pretraining (rounds of local
 * steps on every worker's rows, averaged parameters and AdamW state), so it checkpoints, resumes bit for bit and
 * writes metrics.jsonl and loss.png exactly like pretraining.
 */
@Command(name = "sft", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Supervised fine-tuning of a trained GPT on chat JSONL (messages, prompt/completion, hh-rlhf), "
                + "loss on assistant tokens only, by parameter averaging on Spark.")
public final class SftJob implements Callable<Integer> {
    @Mixin
    PostTrainOptions o = new PostTrainOptions();

    @Option(names = "--train", required = true, description = "training JSONL (.gz ok): messages, prompt/completion "
            + "or hh-rlhf records")
    String train;
    @Option(names = "--val", description = "held-out JSONL for val_loss and exact_match (none: no validation)")
    String val;
    @Option(names = "--layout", defaultValue = "pad",
            description = "pad (one example per row, right-padded) or pack (examples concatenated up to the context; "
                    + "see SftData for the attention rule) (default: ${DEFAULT-VALUE})")
    String layout;
    @Option(names = "--augment", split = ",", description = "augmentations of the training examples, comma-separated: "
            + "reword, renumber, shuffle-choices, noise, typos (counted in stats.json)")
    List<String> augment = new ArrayList<>();
    @Option(names = "--augment-copies", defaultValue = "1",
            description = "augmented copies per training example (default: ${DEFAULT-VALUE})")
    int augmentCopies;
    @Option(names = "--augment-exclude", split = ",", description = "JSONL files (comma-separated) whose problems "
            + "renumber must never create: the held-out test set; --val's problems are always excluded")
    List<String> augmentExclude = new ArrayList<>();
    @Option(names = "--eval-generate", defaultValue = "64",
            description = "validation examples answered by greedy generation for exact_match; 0 = none "
                    + "(default: ${DEFAULT-VALUE})")
    int evalGenerate;
    @Option(names = "--max-new-tokens", defaultValue = "16",
            description = "longest generated answer for exact_match (default: ${DEFAULT-VALUE})")
    int maxNewTokens;

    public static void main(String[] args) {
        Cli.main(new SftJob(), args);
    }

    @Override
    public Integer call() {
        SparkSession spark = Sessions.getOrCreate("sparkgpt-sft");
        try {
            Storage storage = new Storage(spark.sparkContext().hadoopConfiguration());
            Plan p = plan(storage, null);
            o.run.prepareOutput(storage);
            TokenizerFiles.render(p.tokenizer()).forEach((name, text) ->
                    storage.writeString(Storage.child(Storage.child(o.run.output, "tokenizer"), name), text));
            storage.writeString(Storage.child(o.run.output, "stats.json"), Json.write(p.stats()));
            Map<String, Object> runJson = new LinkedHashMap<>();
            runJson.put("job", "sft");
            runJson.put("init", o.init);
            runJson.put("train_data", train);
            runJson.put("val_data", val);
            runJson.put("layout", layout.toLowerCase());
            runJson.put("augment", augment);
            runJson.put("run", p.run());
            runJson.put("model", p.model());
            runJson.put("train", p.train());
            storage.writeString(Storage.child(o.run.output, "run.json"), Json.write(runJson));

            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            JavaRDD<SftRow[]> rdd = jsc.parallelize(p.shards(), o.round.workers).cache();
            DistributedTrainer<SftRow[]> trainer = new DistributedTrainer<>(jsc, storage, p.run(),
                    GptModel.factory(p.model(), p.train(), o.run.seed), rdd, p.shardSizes(), p.job(), o.run.output,
                    System.out);
            trainer.run(o.run.resume, finalModel(storage, p.train()));
            rdd.unpersist(false);
            return Cli.EXIT_OK;
        } finally {
            spark.stop();
        }
    }

    /** Writes the final model (model/model.ckpt, tokenizer beside it in ../tokenizer). */
    public DistributedTrainer.FinalModelWriter finalModel(Storage storage, TrainConfig tc) {
        return (m, dir, s) -> {
            GPT gpt = ((GptModel) m).gpt();
            Checkpoint.of(gpt, tc, s.steps(), List.of(), s.bestValLoss() == null ? Double.MAX_VALUE
                            : s.bestValLoss(), 0, Map.of("init", o.init, "tokenizer", "../tokenizer",
                            "trainer", SftJob.class.getName(), "workers", String.valueOf(o.round.workers)))
                    .save(storage, Storage.child(dir, "model.ckpt"));
            storage.markComplete(dir);
        };
    }

    /**
     * What this command line trains: settings, model, the workers' shards and the validation, read and checked but
     * nothing written. {@link #call} runs it on Spark; a hyperparameter trial or a cross-validation fold
     * ({@code io.sparkgpt.trainer.tune}) runs it in one task with one worker. {@code heldOut} (null: none) holds out
     * the --train examples it accepts as the validation set in place of --val: one fold of a cross-validation.
     */
    public Plan plan(Storage storage, Predicate<ChatExample> heldOut) {
        SftData.Layout lay;
        try {
            lay = SftData.Layout.valueOf(layout.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--layout " + layout + ": expected pad or pack");
        }
        TrainConfig tc = o.trainConfig();
        storage.requireExists("--train data", train);
        if (val != null && heldOut == null) {
            storage.requireExists("--val data", val);
        }
        // renumber's excluded problems: the held-out files' and --val's, so no re-drawn copy is a held-out problem
        Set<String> excluded = new HashSet<>();
        List<String> excludeFiles = new ArrayList<>(augmentExclude);
        if (val != null && heldOut == null) {
            excludeFiles.add(val);
        }
        if (!augment.isEmpty()) {
            for (String f : excludeFiles) {
                storage.requireExists("--augment-exclude data", f);
                for (ChatExample ex : read(storage, f, new BadRecords())) {
                    String key = Augmenter.problemKey(ex);
                    if (key != null) {
                        excluded.add(key);
                    }
                }
            }
        }
        Augmenter augmenter;
        try {
            augmenter = augment.isEmpty() ? null : new Augmenter(augment, augmentCopies, o.run.seed, excluded);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--augment: " + e.getMessage(), e);
        }
        Checkpoint init = o.loadInit(storage);
        BpeTokenizer tok = o.chatTokenizer(storage);
        RunConfig run = o.runConfig(init.config().blockSize());
        ChatTemplate template = new ChatTemplate(tok);
        int blockSize = init.config().blockSize();
        int pad = tok.eotId() >= 0 ? tok.eotId() : template.stopToken();

        // data: read (bad lines named, counted, skipped), augment, render + mask, lay out, shard
        Map<String, Object> stats = new LinkedHashMap<>();
        BadRecords badTrain = new BadRecords();
        List<ChatExample> examples = read(storage, train, badTrain);
        List<ChatExample> valExamples = List.of();
        if (heldOut != null) {
            valExamples = examples.stream().filter(heldOut).toList();
            examples = examples.stream().filter(heldOut.negate()).toList();
        }
        List<ChatExample> trainExamples = examples;
        Map<String, Long> aug = new TreeMap<>();
        if (augmenter != null) {
            if (heldOut != null) {
                // a cross-validation fold: its held-out examples are renumber's excluded problems too
                Set<String> fold = new HashSet<>(excluded);
                valExamples.stream().map(Augmenter::problemKey).filter(k -> k != null).forEach(fold::add);
                augmenter = new Augmenter(augment, augmentCopies, o.run.seed, fold);
            }
            examples = augmenter.apply(examples, aug);
            aug.put("augment.excluded_problems", (long) excluded.size());
        }
        SftData.Rows trainRows = SftData.rows(examples, template, blockSize, badTrain);
        List<SftRow> rows = lay == SftData.Layout.PACK ? SftData.pack(trainRows.rows(), blockSize)
                : trainRows.rows();
        if (rows.size() < o.round.workers) {
            throw new UsageException(train + ": " + rows.size() + " usable training rows for " + o.round.workers
                    + " workers (skipped: " + badTrain.counts() + ")");
        }
        stats.put("train", section(train, trainRows.counters(), badTrain, rows.size()));
        if (!aug.isEmpty()) {
            stats.put("augment", aug);
        }
        List<SftRow> valRows = List.of();
        if (val != null && heldOut == null) {
            BadRecords badVal = new BadRecords();
            valExamples = read(storage, val, badVal);
            SftData.Rows vr = SftData.rows(valExamples, template, blockSize, badVal);
            valRows = vr.rows();
            stats.put("val", section(val, vr.counters(), badVal, valRows.size()));
        } else if (heldOut != null) {
            BadRecords badVal = new BadRecords();
            SftData.Rows vr = SftData.rows(valExamples, template, blockSize, badVal);
            valRows = vr.rows();
            stats.put("val", section(train + " (held-out fold)", vr.counters(), badVal, valRows.size()));
        }
        report(badTrain, train);

        List<SftRow[]> shards = new ArrayList<>();
        List<Long> shardSizes = new ArrayList<>();
        for (int k = 0; k < o.round.workers; k++) {
            List<SftRow> mine = new ArrayList<>();
            for (int i = k; i < rows.size(); i += o.round.workers) {
                mine.add(rows.get(i));
            }
            shards.add(mine.toArray(new SftRow[0]));
            shardSizes.add(mine.stream().mapToLong(SftRow::targets).sum());
        }

        // model: the trained one, with rows for the chat tokens
        GPT base = init.toModel();
        GPT model = base.config().vocabSize() < tok.vocabSize() ? base.withVocabSize(tok.vocabSize(), o.run.seed) : base;
        if (model != base) {
            base.close();
        }
        if (model.config().vocabSize() > tok.vocabSize()) {
            throw new UsageException("the model has " + model.config().vocabSize() + " token rows but the tokenizer "
                    + "with chat tokens has " + tok.vocabSize() + ": is --tokenizer the model's?");
        }
        float[] initParams = model.params();
        var modelCfg = model.config();
        model.close();
        stats.put("chat_tokens", tok.specialTokens());
        System.out.printf("sft: %d workers, %d training rows (%s), %d validation rows, %d skipped lines %s, "
                        + "vocabulary %d (+%d chat tokens)%n", o.round.workers, rows.size(), lay.name().toLowerCase(),
                valRows.size(), badTrain.total(), badTrain.counts(), tok.vocabSize(),
                tok.vocabSize() - init.config().vocabSize());

        ChatValidation validation = new ChatValidation(valRows, valExamples.subList(0,
                Math.min(evalGenerate, valExamples.size())), template, o.opt.batchSize, pad, maxNewTokens);
        DistributedTrainer.Job<SftRow[]> job = new DistributedTrainer.Job<>("sparkgpt SFT", new SftTrainer(pad),
                validation, o.stopRule(), initParams);
        // the training examples before augmentation, rendered: a fold's figures on them show the train/held-out gap
        List<SftRow> seenRows = heldOut == null ? List.of()
                : SftData.rows(trainExamples, template, blockSize, new BadRecords()).rows();
        return new Plan(run, tc, modelCfg, tok, shards, shardSizes, job, template, pad, o.opt.batchSize, maxNewTokens,
                trainExamples, seenRows, valExamples, valRows, stats);
    }

    /**
     * See {@link #plan}. {@code trainExamples}/{@code trainRows} are the training examples before augmentation
     * ({@code trainRows} rendered only for a fold), {@code valExamples}/{@code valRows} the validation set.
     */
    public record Plan(RunConfig run, TrainConfig train, GPTConfig model, BpeTokenizer tokenizer,
                       List<SftRow[]> shards, List<Long> shardSizes, DistributedTrainer.Job<SftRow[]> job,
                       ChatTemplate template, int padId, int batchSize, int maxNewTokens,
                       List<ChatExample> trainExamples, List<SftRow> trainRows, List<ChatExample> valExamples,
                       List<SftRow> valRows, Map<String, Object> stats) {
    }

    static List<ChatExample> read(Storage storage, String path, BadRecords bad) {
        try (BufferedReader r = ChatJsonl.reader(storage.fs(path).open(new Path(path)), path)) {
            return ChatJsonl.readExamples(r, path, bad);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    static Map<String, Object> section(String path, Map<String, Long> counters, BadRecords bad, int rows) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", path);
        m.putAll(counters);
        m.put("rows_after_layout", rows);
        m.put("skipped", bad.total());
        m.put("skipped_by_reason", bad.counts());
        m.put("skipped_lines", bad.messages());
        return m;
    }

    static void report(BadRecords bad, String path) {
        if (bad.total() == 0) {
            return;
        }
        System.err.printf("%s: %d records skipped %s; the first:%n", path, bad.total(), bad.counts());
        bad.messages().stream().limit(10).forEach(m -> System.err.println("  " + m));
    }
}
