package io.sparkgpt.pipeline.dedup;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.common.stats.JobStats;
import io.sparkgpt.spark.Sessions;
import io.sparkgpt.spark.StepOutput;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dedup}: documents Parquet in, {@code <output>/documents} (kept), {@code <output>/excluded/dedup},
 * {@code <output>/stats.json} and {@code <output>/_SUCCESS} out. A complete output is left alone unless
 * {@code --overwrite}.
 */
@Command(name = "dedup", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Exact (URL, normalised content) and MinHash-LSH near-duplicate removal of documents.")
public final class DedupJob implements Callable<Integer> {

    @Option(names = "--input", required = true, description = "documents Parquet (path or s3a://)")
    String input;

    @Option(names = "--output", required = true, description = "output folder")
    String output;

    @Option(names = "--bands", defaultValue = "" + DedupConfig.DEFAULT_BANDS,
            description = "LSH bands (default: ${DEFAULT-VALUE})")
    int bands;

    @Option(names = "--rows", defaultValue = "" + DedupConfig.DEFAULT_ROWS,
            description = "MinHash values per band (default: ${DEFAULT-VALUE}); LSH threshold (1/bands)^(1/rows)")
    int rows;

    @Option(names = "--num-perm", description = "total permutations; must equal bands * rows when given")
    Integer numPerm;

    @Option(names = "--ngram", defaultValue = "" + DedupConfig.DEFAULT_NGRAM,
            description = "words per shingle (default: ${DEFAULT-VALUE})")
    int ngram;

    @Option(names = "--char-ngram", defaultValue = "" + DedupConfig.DEFAULT_CHAR_NGRAM,
            description = "characters per shingle for zh/ja/th-like scripts (default: ${DEFAULT-VALUE})")
    int charNgram;

    @Option(names = "--jaccard-threshold", defaultValue = "" + DedupConfig.DEFAULT_THRESHOLD,
            description = "a candidate pair is a near duplicate at Jaccard >= this (default: ${DEFAULT-VALUE})")
    double threshold;

    @Option(names = "--no-verify", description = "check candidate pairs by the MinHash estimate instead of the "
            + "exact Jaccard of their shingle sets")
    boolean noVerify;

    @Option(names = "--seed", defaultValue = "" + DedupConfig.DEFAULT_SEED,
            description = "hash seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--no-exact", description = "skip the exact URL and content stages")
    boolean noExact;

    @Option(names = "--no-fuzzy", description = "skip the MinHash-LSH stage")
    boolean noFuzzy;

    @Option(names = "--partitions", description = "spark.sql.shuffle.partitions for this job (default: Spark's)")
    Integer partitions;

    @Option(names = "--index", description = "incremental dedup: the index folder of the earlier corpora "
            + "(gen-NNNNNN/ below --generation are read, this corpus' is written as gen-<generation>)")
    String index;

    @Option(names = "--generation", defaultValue = "-1",
            description = "this corpus' generation in --index (required with it; earlier ones win ties)")
    int generation;

    @Option(names = "--overwrite", description = "replace a complete output")
    boolean overwrite;

    public static void main(String[] args) {
        Cli.main(new DedupJob(), args);
    }

    DedupConfig config() {
        if (index != null && generation < 0) {
            throw new UsageException("--index needs --generation N (N >= 0)");
        }
        if (numPerm != null && numPerm != bands * rows) {
            throw new UsageException("--num-perm " + numPerm + " must equal --bands x --rows = " + bands * rows);
        }
        try {
            return DedupConfig.defaults().withBands(bands, rows).withNgram(ngram, charNgram)
                    .withThreshold(threshold, !noVerify).withStages(!noExact, !noExact, !noFuzzy)
                    .withSeed(seed);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    @Override
    public Integer call() {
        DedupConfig config = config();
        long t0 = System.nanoTime();
        SparkSession spark = Sessions.getOrCreate("sparkgpt-dedup");
        if (partitions != null) {
            spark.conf().set("spark.sql.shuffle.partitions", partitions);
        }
        Storage storage = new Storage(spark.sparkContext().hadoopConfiguration());
        storage.requireExists("input", input);
        storage.requireWritable(output);
        if (storage.isComplete(output) && !overwrite) {
            System.err.println("dedup: " + output + " is complete; nothing to do (use --overwrite to redo)");
            return Cli.EXIT_OK;
        }
        storage.delete(Storage.child(output, Storage.SUCCESS));

        Dataset<Row> documents = spark.read().parquet(input);
        Deduplicator dedup = new Deduplicator(config);
        DedupResult result = index == null ? dedup.apply(documents)
                : dedup.applyIncremental(documents, DedupIndex.read(spark, storage, index, generation), generation);

        StepOutput kept = new StepOutput(spark, Storage.child(output, "documents"));
        kept.clear();
        result.kept().write().mode(SaveMode.Overwrite).parquet(kept.tempPath());
        kept.commit();
        StepOutput excluded = new StepOutput(spark, Storage.child(output, "excluded/dedup"));
        excluded.clear();
        result.excluded().write().mode(SaveMode.Overwrite).parquet(excluded.tempPath());
        excluded.commit();
        if (index != null) {
            // this corpus joins the index last: a re-run after a crash reads only the generations below it
            StepOutput gen = new StepOutput(spark, DedupIndex.folder(index, generation));
            gen.clear();
            DedupIndex.rows(documents, spark.read().parquet(excluded.path()), config, generation)
                    .write().mode(SaveMode.Overwrite).parquet(gen.tempPath());
            gen.commit();
        }

        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("cluster_size_histogram", result.clusterSizes());
        totals.put("config", config);
        totals.put("lsh_threshold", config.lshThreshold());
        if (index != null) {
            totals.put("index", index);
            totals.put("generation", generation);
        }
        JobStats stats = new JobStats("dedup", List.of(input), List.of(result.stats()), totals,
                (System.nanoTime() - t0) / 1e9);
        storage.writeString(Storage.child(output, "stats.json"), Json.write(stats));
        storage.markComplete(output);
        System.err.println("dedup: " + result.stats().documentsIn() + " documents in, "
                + result.stats().documentsKept() + " kept, dropped " + result.stats().droppedByReason()
                + ", " + result.stats().counters());
        return Cli.EXIT_OK;
    }
}
