package io.sparkgpt.pipeline.tokenize;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.sum;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.common.stats.JobStats;
import io.sparkgpt.common.stats.StepStats;
import io.sparkgpt.spark.Sessions;
import io.sparkgpt.spark.StepOutput;
import io.sparkgpt.tokenizer.BpeTokenizer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tokenize}: documents Parquet in; {@code tokens/train} and {@code tokens/val} ({@code doc_id} string,
 * {@code n_tokens} int, {@code tokens} array&lt;int&gt;, every document ending with the tokenizer's end-of-text
 * token, the side chosen by {@link TokenSplit}), the tokenizer folder copied to {@code <output>/tokenizer},
 * {@code stats.json} (documents, tokens, bytes per token by language), optionally llm.c {@code .bin} shards under
 * {@code <output>/llmc}, and {@code _SUCCESS}. Documents with no text are dropped and counted.
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Turn documents into token shards (Parquet, optionally llm.c .bin) with a BPE tokenizer.")
public final class TokenizeJob implements Callable<Integer> {

    public static final StructType TOKENS = new StructType()
            .add("doc_id", DataTypes.StringType, false)
            .add("n_tokens", DataTypes.IntegerType, false)
            .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType, false), false);

    private static final StructType TOKENIZED = TOKENS
            .add("split", DataTypes.StringType, false)
            .add("language", DataTypes.StringType, false)
            .add("bytes", DataTypes.LongType, false);

    @Option(names = "--input", required = true, description = "documents Parquet (path or s3a://)")
    String input;

    @Option(names = "--tokenizer", required = true,
            description = "tokenizer folder (vocab.json, merges.txt, tokenizer.json)")
    String tokenizerDir;

    @Option(names = "--output", required = true, description = "output folder")
    String output;

    @Option(names = "--val-fraction", defaultValue = "0.05",
            description = "share of documents (by hash of id) in tokens/val (default: ${DEFAULT-VALUE})")
    double valFraction;

    @Option(names = "--export-llmc", description = "also write llm.c .bin shards to <output>/llmc")
    boolean exportLlmc;

    @Option(names = "--llmc-shard-tokens", defaultValue = "10000000",
            description = "tokens per llm.c shard (default: ${DEFAULT-VALUE})")
    int llmcShardTokens;

    @Option(names = "--overwrite", description = "replace a complete output")
    boolean overwrite;

    public static void main(String[] args) {
        Cli.main(new TokenizeJob(), args);
    }

    @Override
    public Integer call() {
        if (!(valFraction >= 0 && valFraction < 1)) {
            throw new UsageException("--val-fraction must be in [0, 1), got " + valFraction);
        }
        long t0 = System.nanoTime();
        SparkSession spark = Sessions.getOrCreate("sparkgpt-tokenize");
        Storage storage = new Storage(spark.sparkContext().hadoopConfiguration());
        storage.requireExists("input", input);
        storage.requireExists("tokenizer", tokenizerDir);
        TokenizerFolder folder = TokenizerFolder.read(storage, tokenizerDir);
        BpeTokenizer tok = folder.tokenizer();
        if (tok.eotId() < 0) {
            throw new UsageException("tokenizer " + tokenizerDir + " has no " + BpeTokenizer.END_OF_TEXT + " token");
        }
        if (exportLlmc && tok.vocabSize() > LlmcShards.MAX_VOCAB) {
            throw new UsageException("--export-llmc: vocabulary of " + tok.vocabSize()
                    + " tokens does not fit llm.c's uint16 shards (at most 65536)");
        }
        storage.requireWritable(output);
        if (storage.isComplete(output) && !overwrite) {
            System.err.println("tokenize: " + output + " is complete; nothing to do (use --overwrite to redo)");
            return Cli.EXIT_OK;
        }
        storage.delete(Storage.child(output, Storage.SUCCESS));

        Dataset<Row> docs = spark.read().parquet(input);
        List<String> columns = List.of(docs.columns());
        if (!columns.contains("id") || !columns.contains("text")) {
            throw new UsageException("input " + input + " has no 'id' and 'text' columns: not a documents Parquet");
        }
        Dataset<Row> selected = docs.select(col("id"), col("text"), columns.contains("language")
                ? col("language") : org.apache.spark.sql.functions.lit(null).cast("string").as("language"));

        Broadcast<TokenizerFolder> bc = spark.sparkContext().broadcast(folder,
                scala.reflect.ClassTag$.MODULE$.apply(TokenizerFolder.class));
        // counted by an action, not an accumulator in a transformation (a retried task would count twice)
        long docsIn = selected.count();
        LongAccumulator empty = spark.sparkContext().longAccumulator("empty_text");
        LongAccumulator noId = spark.sparkContext().longAccumulator("missing_id");
        double val = valFraction;
        JavaRDD<Row> rows = selected.javaRDD().mapPartitions((Iterator<Row> it) -> {
            // one tokenizer per partition: its word cache is per thread, its tables are shared
            BpeTokenizer t = bc.value().tokenizer();
            // lazy: a partition's documents stream through, they are never all held at once
            return new TokenizedRows(it, t, val, empty, noId);
        });
        Dataset<Row> tokenized = spark.createDataFrame(rows, TOKENIZED).persist(StorageLevel.MEMORY_AND_DISK());

        long tokensTrain = 0;
        long tokensVal = 0;
        long docsTrain = 0;
        long docsVal = 0;
        for (String split : List.of(TokenSplit.TRAIN, TokenSplit.VAL)) {
            StepOutput out = new StepOutput(spark, Storage.child(output, "tokens/" + split));
            out.clear();
            tokenized.filter(col("split").equalTo(split)).select("doc_id", "n_tokens", "tokens")
                    .write().mode(SaveMode.Overwrite).parquet(out.tempPath());
            out.commit();
        }
        Map<String, Map<String, Object>> byLanguage = new TreeMap<>();
        long bytesKept = 0;
        for (Row r : tokenized.groupBy("split", "language")
                .agg(count("*").as("documents"), sum("n_tokens").as("tokens"), sum("bytes").as("bytes"))
                .collectAsList()) {
            String split = r.getString(0);
            long d = r.getLong(2);
            long tks = r.getLong(3);
            long b = r.getLong(4);
            bytesKept += b;
            if (split.equals(TokenSplit.TRAIN)) {
                tokensTrain += tks;
                docsTrain += d;
            } else {
                tokensVal += tks;
                docsVal += d;
            }
            Map<String, Object> m = byLanguage.computeIfAbsent(r.getString(1), k -> new TreeMap<>());
            m.merge("documents", d, (x, y) -> (Long) x + (Long) y);
            m.merge("tokens", tks, (x, y) -> (Long) x + (Long) y);
            m.merge("bytes", b, (x, y) -> (Long) x + (Long) y);
        }
        for (Map<String, Object> m : byLanguage.values()) {
            // the end-of-text tokens are not text: leave them out of the compression figure
            long textTokens = (Long) m.get("tokens") - (Long) m.get("documents");
            m.put("bytes_per_token", textTokens == 0 ? 0.0 : (double) (Long) m.get("bytes") / textTokens);
        }

        Map<String, Object> totals = new LinkedHashMap<>();
        if (exportLlmc) {
            Map<String, Object> llmc = new LinkedHashMap<>();
            for (String split : List.of(TokenSplit.VAL, TokenSplit.TRAIN)) {
                LlmcShards shards = new LlmcShards(storage, Storage.child(output, "llmc"), split, llmcShardTokens);
                // sorted by doc_id: the shard contents do not depend on partitioning
                Iterator<Row> it = spark.read().parquet(Storage.child(output, "tokens/" + split))
                        .orderBy("doc_id").select("tokens").toLocalIterator();
                shards.add(new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public int[] next() {
                        List<Integer> l = it.next().getList(0);
                        int[] a = new int[l.size()];
                        for (int i = 0; i < a.length; i++) {
                            a[i] = l.get(i);
                        }
                        return a;
                    }
                });
                List<String> files = shards.finish();
                llmc.put(split, Map.of("files", files.size(), "tokens", shards.tokens()));
            }
            storage.markComplete(Storage.child(output, "llmc"));
            totals.put("llmc", llmc);
        }
        tokenized.unpersist();

        folder.writeTo(storage, Storage.child(output, "tokenizer"));

        Map<String, Long> counters = new TreeMap<>();
        counters.put("documents_train", docsTrain);
        counters.put("documents_val", docsVal);
        counters.put("tokens_train", tokensTrain);
        counters.put("tokens_val", tokensVal);
        Map<String, Long> dropped = new TreeMap<>();
        dropped.put("empty_text", empty.value());
        dropped.put("missing_id", noId.value());
        long kept = docsTrain + docsVal;
        StepStats step = new StepStats("tokenize", docsIn, kept, bytesKept, bytesKept, dropped, counters,
                (System.nanoTime() - t0) / 1e9);
        totals.put("documents", kept);
        totals.put("tokens", tokensTrain + tokensVal);
        totals.put("bytes_per_token", tokensTrain + tokensVal - kept == 0 ? 0.0
                : (double) bytesKept / (tokensTrain + tokensVal - kept));
        totals.put("by_language", byLanguage);
        totals.put("vocab_size", tok.vocabSize());
        totals.put("eot_id", tok.eotId());
        totals.put("val_fraction", valFraction);
        totals.put("tokenizer", tokenizerDir);
        JobStats stats = new JobStats("tokenize", List.of(input), List.of(step), totals,
                (System.nanoTime() - t0) / 1e9);
        storage.writeString(Storage.child(output, "stats.json"), Json.write(stats));
        storage.markComplete(output);
        System.err.printf("tokenize: %d documents in, %d kept (%d train, %d val), %d tokens, dropped %s%n",
                docsIn, kept, docsTrain, docsVal, tokensTrain + tokensVal, dropped);
        return Cli.EXIT_OK;
    }

    /**
     * A partition's documents as token rows, one at a time; documents without id or text are skipped and counted.
     * A static class: an anonymous one would capture the (non-serializable) job.
     */
    static final class TokenizedRows implements Iterator<Row> {
        private final Iterator<Row> in;
        private final BpeTokenizer tok;
        private final double valFraction;
        private final LongAccumulator empty;
        private final LongAccumulator noId;
        private Row next;

        TokenizedRows(Iterator<Row> in, BpeTokenizer tok, double valFraction, LongAccumulator empty,
                      LongAccumulator noId) {
            this.in = in;
            this.tok = tok;
            this.valFraction = valFraction;
            this.empty = empty;
            this.noId = noId;
            this.next = advance();
        }

        private Row advance() {
            while (in.hasNext()) {
                Row r = in.next();
                String id = r.getString(0);
                String text = r.getString(1);
                if (id == null) {
                    noId.add(1);
                    continue;
                }
                if (text == null || text.isEmpty()) {
                    empty.add(1);
                    continue;
                }
                int[] ids = tok.encodeDocument(text);
                Integer[] boxed = new Integer[ids.length];
                for (int i = 0; i < ids.length; i++) {
                    boxed[i] = ids[i];
                }
                String lang = r.isNullAt(2) ? "unknown" : r.getString(2);
                return RowFactory.create(id, ids.length, boxed, TokenSplit.of(id, valFraction), lang,
                        (long) text.getBytes(StandardCharsets.UTF_8).length);
            }
            return null;
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public Row next() {
            if (next == null) {
                throw new java.util.NoSuchElementException();
            }
            Row r = next;
            next = advance();
            return r;
        }
    }
}
