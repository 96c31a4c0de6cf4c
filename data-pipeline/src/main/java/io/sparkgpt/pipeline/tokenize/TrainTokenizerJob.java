package io.sparkgpt.pipeline.tokenize;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.common.stats.JobStats;
import io.sparkgpt.common.stats.StepStats;
import io.sparkgpt.spark.Sessions;
import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.BpeTrainer;
import io.sparkgpt.tokenizer.PreTokenizer;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import scala.Tuple2;

/**
 * {@code train-tokenizer}: documents Parquet in; {@code vocab.json}, {@code merges.txt}, {@code tokenizer.json},
 * {@code stats.json} and {@code _SUCCESS} out. The word counts are computed by Spark over the corpus (or a
 * {@code --sample}): each executor pre-tokenizes its documents and counts words locally, then a reduceByKey sums
 * them; the merges are learned on the driver ({@link BpeTrainer}: incremental, deterministic).
 */
@Command(name = "train-tokenizer", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a byte-level BPE tokenizer on the text of a documents Parquet.")
public final class TrainTokenizerJob implements Callable<Integer> {

    @Option(names = "--input", required = true, description = "documents Parquet (path or s3a://)")
    String input;

    @Option(names = "--output", required = true, description = "tokenizer folder to write")
    String output;

    @Option(names = "--vocab-size", required = true,
            description = "tokens in the vocabulary: 256 bytes + merges + special tokens")
    int vocabSize;

    @Option(names = "--sample", defaultValue = "1.0",
            description = "fraction of documents to count words on (default: ${DEFAULT-VALUE})")
    double sample;

    @Option(names = "--pattern", defaultValue = "gpt2",
            description = "pre-tokenization pattern: gpt2 or cl100k (default: ${DEFAULT-VALUE})")
    String pattern;

    @Option(names = "--min-frequency", defaultValue = "2",
            description = "never merge a pair seen fewer times (default: ${DEFAULT-VALUE})")
    int minFrequency;

    @Option(names = "--max-words", defaultValue = "5000000",
            description = "keep only this many most frequent distinct words for the driver (default: "
                    + "${DEFAULT-VALUE})")
    int maxWords;

    @Option(names = "--seed", defaultValue = "42", description = "sampling seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--overwrite", description = "replace a complete output")
    boolean overwrite;

    public static void main(String[] args) {
        Cli.main(new TrainTokenizerJob(), args);
    }

    BpeTrainer.Config config() {
        if (!(sample > 0 && sample <= 1)) {
            throw new UsageException("--sample must be in (0, 1], got " + sample);
        }
        if (maxWords < 1) {
            throw new UsageException("--max-words must be >= 1");
        }
        try {
            return new BpeTrainer.Config(vocabSize, minFrequency, PreTokenizer.fromId(pattern),
                    List.of(BpeTokenizer.END_OF_TEXT));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    /** Orders word counts by count (descending), then by word: a total order, so the kept words are stable. */
    static final class ByCount implements Comparator<Tuple2<String, Long>>, Serializable {
        @Override
        public int compare(Tuple2<String, Long> a, Tuple2<String, Long> b) {
            int c = Long.compare(b._2(), a._2());
            return c != 0 ? c : a._1().compareTo(b._1());
        }
    }

    @Override
    public Integer call() {
        BpeTrainer.Config config = config();
        long t0 = System.nanoTime();
        SparkSession spark = Sessions.getOrCreate("sparkgpt-train-tokenizer");
        Storage storage = new Storage(spark.sparkContext().hadoopConfiguration());
        storage.requireExists("input", input);
        storage.requireWritable(output);
        if (storage.isComplete(output) && !overwrite) {
            System.err.println("train-tokenizer: " + output + " is complete; nothing to do (use --overwrite to redo)");
            return Cli.EXIT_OK;
        }
        storage.delete(Storage.child(output, Storage.SUCCESS));

        Dataset<Row> docs = spark.read().parquet(input);
        if (!List.of(docs.columns()).contains("text")) {
            throw new UsageException("input " + input + " has no 'text' column: not a documents Parquet");
        }
        Dataset<Row> texts = docs.select(docs.col("text"),
                List.of(docs.columns()).contains("language") ? docs.col("language")
                        : org.apache.spark.sql.functions.lit(null).cast("string").as("language"));
        if (sample < 1) {
            texts = texts.sample(false, sample, seed);
        }
        LongAccumulator docCount = spark.sparkContext().longAccumulator("documents");
        LongAccumulator emptyDocs = spark.sparkContext().longAccumulator("empty_documents");
        LongAccumulator byteCount = spark.sparkContext().longAccumulator("bytes");
        PreTokenizer pre = config.preTokenizer();
        JavaPairRDD<String, Long> counts = texts.javaRDD().mapPartitionsToPair(rows -> {
            Map<String, Long> local = new HashMap<>();
            while (rows.hasNext()) {
                String text = rows.next().getString(0);
                docCount.add(1);
                if (text == null || text.isEmpty()) {
                    emptyDocs.add(1);
                    continue;
                }
                byteCount.add(text.getBytes(StandardCharsets.UTF_8).length);
                BpeTrainer.countWords(text, pre, local);
            }
            return local.entrySet().stream().map(e -> new Tuple2<>(e.getKey(), e.getValue())).iterator();
        }).reduceByKey(Long::sum).persist(StorageLevel.MEMORY_AND_DISK());
        long distinct = counts.count();
        Map<String, Long> words = new HashMap<>();
        if (distinct <= maxWords) {
            counts.collect().forEach(t -> words.put(t._1(), t._2()));
        } else {
            counts.takeOrdered(maxWords, new ByCount()).forEach(t -> words.put(t._1(), t._2()));
        }
        counts.unpersist(false);
        long totalWords = words.values().stream().mapToLong(Long::longValue).sum();
        double countSeconds = (System.nanoTime() - t0) / 1e9;
        if (words.isEmpty()) {
            throw new UsageException("input " + input + " holds no text to train on (" + docCount.value()
                    + " documents)");
        }

        BpeTrainer.Result result = new BpeTrainer(config).train(words);
        BpeTokenizer tok = result.tokenizer();
        TokenizerFolder.of(tok, output).files().forEach((name, content) ->
                storage.writeString(Storage.child(output, name), content));

        // compression on a sample of the documents, per language: the figure that says whether the merges fit
        Map<String, long[]> perLang = new TreeMap<>();
        for (Row r : texts.limit(2000).collectAsList()) {
            String text = r.getString(0);
            if (text == null || text.isEmpty()) {
                continue;
            }
            String lang = r.isNullAt(1) ? "unknown" : r.getString(1);
            long[] acc = perLang.computeIfAbsent(lang, k -> new long[2]);
            acc[0] += text.getBytes(StandardCharsets.UTF_8).length;
            acc[1] += tok.encode(text).length;
        }
        Map<String, Double> bytesPerToken = new TreeMap<>();
        perLang.forEach((k, v) -> bytesPerToken.put(k, v[1] == 0 ? 0 : (double) v[0] / v[1]));

        Map<String, Long> countCounters = new TreeMap<>();
        countCounters.put("distinct_words", distinct);
        countCounters.put("distinct_words_kept", (long) words.size());
        countCounters.put("words_kept", totalWords);
        StepStats counting = new StepStats("count-words", docCount.value(), docCount.value() - emptyDocs.value(),
                byteCount.value(), byteCount.value(), Map.of("empty_text", emptyDocs.value()), countCounters,
                countSeconds);
        Map<String, Long> mergeCounters = new TreeMap<>();
        mergeCounters.put("merges", (long) result.merges());
        mergeCounters.put("last_merge_count", result.lastMergeCount());
        mergeCounters.put("vocab_size", (long) tok.vocabSize());
        StepStats merging = new StepStats("learn-merges", docCount.value() - emptyDocs.value(),
                docCount.value() - emptyDocs.value(), byteCount.value(), byteCount.value(), Map.of(),
                mergeCounters, result.seconds());
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("vocab_size", tok.vocabSize());
        totals.put("vocab_size_requested", vocabSize);
        totals.put("eot_id", tok.eotId());
        totals.put("pattern", pre.id());
        totals.put("min_frequency", minFrequency);
        totals.put("sample", sample);
        totals.put("bytes_per_token_by_language", bytesPerToken);
        JobStats stats = new JobStats("train-tokenizer", List.of(input), List.of(counting, merging), totals,
                (System.nanoTime() - t0) / 1e9);
        storage.writeString(Storage.child(output, "stats.json"), Json.write(stats));
        storage.markComplete(output);
        System.err.printf("train-tokenizer: %d documents, %d distinct words, %d merges in %.1f s (vocab %d), "
                        + "bytes/token %s%n", docCount.value(), distinct, result.merges(), result.seconds(),
                tok.vocabSize(), bytesPerToken);
        return Cli.EXIT_OK;
    }
}
