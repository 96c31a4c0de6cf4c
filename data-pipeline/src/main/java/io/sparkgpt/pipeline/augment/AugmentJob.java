package io.sparkgpt.pipeline.augment;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.pipeline.step.CountersAccumulator;
import io.sparkgpt.spark.Sessions;
import io.sparkgpt.spark.StepOutput;
import io.sparkgpt.tokenizer.augment.AugmentConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code augment}: documents Parquet or chat JSONL in; the originals beside their variants out, with lineage
 * ({@code source_id}, {@code augmentation}, {@code variant}): {@code <output>/documents} (Parquet) for documents;
 * {@code <output>/examples} (Parquet) and {@code <output>/examples.jsonl} (one file, input order, readable by
 * {@code sft.sh --train}) for chat examples; {@code <output>/bad} (rows named, with the reason),
 * {@code <output>/stats.json} and {@code _SUCCESS}. A complete output is left alone unless {@code --overwrite}.
 */
@Command(name = "augment", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Text augmentation of documents or fine-tuning examples: WordNet synonyms, sentence "
                + "reordering, character/word noise.")
public final class AugmentJob implements Callable<Integer> {
    @Option(names = "--input", required = true, split = ",",
            description = "documents Parquet folder, or chat JSONL files (.gz ok), comma-separated")
    List<String> input;

    @Option(names = "--output", required = true, description = "output folder")
    String output;

    @Option(names = "--format", defaultValue = "auto", description = "documents, chat, or auto: chat when every "
            + "input ends in .jsonl/.json/.jsonl.gz (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--language", defaultValue = "auto", description = "language of every row for synonym "
            + "replacement (en, ...), or auto: the documents' language column, else language identification "
            + "(default: ${DEFAULT-VALUE})")
    String language;

    @Mixin
    AugmentOptions augment = new AugmentOptions();

    @Option(names = "--overwrite", description = "replace a complete output")
    boolean overwrite;

    public static void main(String[] args) {
        Cli.main(new AugmentJob(), args);
    }

    boolean chat() {
        return switch (format) {
            case "chat" -> true;
            case "documents" -> false;
            case "auto" -> input.stream().allMatch(p -> p.matches(".*\\.(jsonl|json)(\\.gz)?$"));
            default -> throw new UsageException("--format must be documents, chat or auto, got '" + format + "'");
        };
    }

    @Override
    public Integer call() {
        AugmentConfig config = augment.config();
        boolean chat = chat();
        if (!chat && input.size() != 1) {
            throw new UsageException("--input: documents are one Parquet folder, got " + input.size() + " paths");
        }
        long t0 = System.nanoTime();
        SparkSession spark = Sessions.getOrCreate("sparkgpt-augment");
        Storage storage = new Storage(spark.sparkContext().hadoopConfiguration());
        for (String in : input) {
            storage.requireExists("--input", in);
        }
        storage.requireWritable(output);
        if (storage.isComplete(output) && !overwrite) {
            System.err.println("augment: " + output + " is complete; nothing to do (use --overwrite to redo)");
            return Cli.EXIT_OK;
        }
        storage.delete(Storage.child(output, Storage.SUCCESS));
        CountersAccumulator counters = new CountersAccumulator();
        spark.sparkContext().register(counters, "augment");

        Dataset<Row> bad;
        long rowsOut;
        if (chat) {
            JavaRDD<Row> lines = ChatAugmentation.lines(spark, input);
            bad = ChatAugmentation.bad(spark, lines);
            Dataset<Row> out = new ChatAugmentation(config, language).apply(spark, lines, counters);
            StepOutput examples = write(spark, out, "examples");
            Dataset<Row> written = spark.read().parquet(examples.path());
            rowsOut = written.count();
            writeJsonl(spark, storage, written.orderBy(functions.col("seq"), order(config),
                    functions.col(Lineage.VARIANT)).select("record"), Storage.child(output, "examples.jsonl"));
        } else {
            Dataset<Row> in = spark.read().parquet(input.get(0));
            DocumentAugmentation.requireColumns(in, input.get(0));
            bad = DocumentAugmentation.bad(in);
            StepOutput docs = write(spark, new DocumentAugmentation(config, language).apply(in, counters),
                    "documents");
            rowsOut = spark.read().parquet(docs.path()).count();
        }
        StepOutput badOut = write(spark, bad, "bad");
        Dataset<Row> badRows = spark.read().parquet(badOut.path());
        Map<String, Long> badByReason = new LinkedHashMap<>();
        for (Row r : badRows.groupBy("reason").count().orderBy("reason").collectAsList()) {
            badByReason.put(r.getString(0), r.getLong(1));
        }
        List<String> badFirst = new ArrayList<>();
        for (Row r : badRows.limit(50).collectAsList()) {
            badFirst.add(r.mkString(": "));
        }

        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("job", "augment");
        stats.put("inputs", input);
        stats.put("format", chat ? "chat" : "documents");
        stats.put("config", config);
        stats.put("augmentations", config.enabled());
        stats.put("counters", counters.value());
        stats.put("rows_out", rowsOut);
        stats.put("bad_rows", badByReason.values().stream().mapToLong(Long::longValue).sum());
        stats.put("bad_by_reason", badByReason);
        stats.put("bad_first", badFirst);
        stats.put("seconds", (System.nanoTime() - t0) / 1e9);
        storage.writeString(Storage.child(output, "stats.json"), Json.write(stats));
        storage.markComplete(output);
        System.err.println("augment: " + counters.value().getOrDefault("rows.in", 0L) + " rows in, " + rowsOut
                + " rows out (originals + variants), " + stats.get("bad_rows") + " bad " + badByReason + "; "
                + counters.value());
        if (!badFirst.isEmpty()) {
            System.err.println("augment: bad rows, the first: " + String.join("; ", badFirst.subList(0,
                    Math.min(5, badFirst.size()))));
        }
        return Cli.EXIT_OK;
    }

    /** Originals first, then the augmentations in the config's order. */
    private static Column order(AugmentConfig config) {
        Column c = functions.when(functions.col(Lineage.AUGMENTATION).equalTo(Lineage.ORIGINAL), 0);
        List<String> names = config.enabled();
        for (int i = 0; i < names.size(); i++) {
            c = c.when(functions.col(Lineage.AUGMENTATION).equalTo(names.get(i)), i + 1);
        }
        return c;
    }

    private StepOutput write(SparkSession spark, Dataset<Row> rows, String name) {
        StepOutput out = new StepOutput(spark, Storage.child(output, name));
        out.clear();
        rows.write().mode(SaveMode.Overwrite).parquet(out.tempPath());
        out.commit();
        return out;
    }

    /** One JSONL file at {@code path}: written by one task to a temporary folder, then moved. */
    private static void writeJsonl(SparkSession spark, Storage storage, Dataset<Row> records, String path) {
        String tmp = path + "._tmp";
        storage.delete(tmp);
        records.coalesce(1).write().mode(SaveMode.Overwrite).text(tmp);
        try {
            FileSystem fs = storage.fs(path);
            Path part = null;
            for (FileStatus s : fs.listStatus(new Path(tmp))) {
                if (s.getPath().getName().startsWith("part-")) {
                    part = s.getPath();
                }
            }
            if (part == null) {
                throw new IOException("no part file in " + tmp);
            }
            fs.delete(new Path(path), false);
            if (!fs.rename(part, new Path(path))) {
                throw new IOException("cannot move " + part + " to " + path);
            }
            storage.delete(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }
}
