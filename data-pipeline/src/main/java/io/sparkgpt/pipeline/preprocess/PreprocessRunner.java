package io.sparkgpt.pipeline.preprocess;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.common.stats.JobStats;
import io.sparkgpt.common.stats.StepStats;
import io.sparkgpt.pipeline.read.ReadOptions;
import io.sparkgpt.pipeline.step.CountersAccumulator;
import io.sparkgpt.pipeline.step.DatasetStep;
import io.sparkgpt.pipeline.step.DocumentStep;
import io.sparkgpt.pipeline.step.Recipe;
import io.sparkgpt.pipeline.step.Schemas;
import io.sparkgpt.spark.JobProgress;
import io.sparkgpt.spark.StepOutput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;

/**
 * Runs a {@link Recipe} over input files into an output folder:
 * <pre>
 *   &lt;out&gt;/records       every record once (kept / excluded by step / error): the one expensive pass
 *                      (not "_staging": Spark and Hadoop skip folders whose name starts with _ or .)
 *   &lt;out&gt;/excluded/&lt;step&gt;  dropped documents with step and reason
 *   &lt;out&gt;/errors        source, offset, message of each bad record or unreadable file
 *   &lt;out&gt;/documents     the kept documents (after the corpus-level steps, if any)
 *   &lt;out&gt;/stats.json    per step: documents and bytes in, kept, dropped by reason, counters, seconds
 *   &lt;out&gt;/_SUCCESS      written last
 * </pre>
 * Each folder is a {@link StepOutput} (temporary folder, rename, {@code _SUCCESS}): a re-run skips what is complete
 * and redoes what is not; a re-run over a complete output does nothing; {@code overwrite} starts over.
 */
public final class PreprocessRunner {
    // underscore: Spark and Hadoop skip such files when they read the folder as Parquet
    private static final String COUNTERS_FILE = "_counters.json";

    private final SparkSession spark;
    private final Storage storage;
    private final Recipe recipe;
    private final ReadOptions readOptions;
    private final String out;
    private final int partitions;
    private final boolean overwrite;

    public PreprocessRunner(SparkSession spark, Storage storage, Recipe recipe, ReadOptions readOptions, String out,
                            int partitions, boolean overwrite) {
        this.spark = spark;
        this.storage = storage;
        this.recipe = recipe;
        this.readOptions = readOptions;
        this.out = out.endsWith("/") ? out.substring(0, out.length() - 1) : out;
        this.partitions = partitions;
        this.overwrite = overwrite;
    }

    private String path(String name) {
        return out + "/" + name;
    }

    /** Runs the recipe; returns the job's stats (read back from stats.json when the output was complete). */
    public JobStats run(List<String> inputs, List<String> files) {
        long t0 = System.nanoTime();
        if (overwrite) {
            System.err.println("preprocess: --overwrite: deleting " + out);
            storage.delete(out);
            storage.requireWritable(out);
        } else if (storage.isComplete(out)) {
            System.err.println("preprocess: " + out + " is complete (_SUCCESS): nothing to do (use --overwrite to "
                    + "start over)");
            return Json.read(storage.readString(path("stats.json")), JobStats.class);
        }
        Map<String, Double> seconds = new LinkedHashMap<>();

        // 1. the read + per-document steps pass
        StepOutput staging = new StepOutput(storage, path("records"));
        if (staging.isComplete()) {
            System.err.println("preprocess: resume: " + staging.path() + " is complete, not re-reading the "
                    + files.size() + " input files");
        } else {
            long s0 = System.nanoTime();
            staging.clear();
            Map<String, Long> counters = readPass(files, staging.tempPath());
            storage.writeString(staging.tempPath() + "/" + COUNTERS_FILE, Json.write(counters));
            staging.commit();
            seconds.put("read_and_document_steps", (System.nanoTime() - s0) / 1e9);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> rawCounters = Json.read(storage.readString(staging.path() + "/" + COUNTERS_FILE),
                Map.class);
        Map<String, Long> counters = new TreeMap<>();
        rawCounters.forEach((k, v) -> counters.put(k, ((Number) v).longValue()));
        Dataset<Row> all = spark.read().schema(Schemas.STAGING).parquet(staging.path());

        // 2. excluded/<step> and errors: nothing downstream reads them, so they are written while step 3 runs
        BackgroundWrite sideWrites = new BackgroundWrite("preprocess-excluded-writer", () -> {
            writeExcluded(all);
            writeOnce("errors", all.filter(col("status").equalTo(Schemas.ERROR))
                    .select(col("source"), col("offset"), col("message")), 1);
        });
        List<StepStats> datasetStats;
        String shuffleKey = "spark.sql.shuffle.partitions";
        boolean sizeShuffles = !spark.sparkContext().getConf().contains(shuffleKey);
        String shuffleBefore = spark.conf().get(shuffleKey);
        try {
            // 3. corpus-level steps, then documents. Their shuffles carry narrow rows (dedup: ids and hashes), sized
            // by the documents the per-document steps kept unless the user set spark.sql.shuffle.partitions: a
            // 200-way shuffle of a few thousand rows writes 200 files per map task, in each of dedup's stages
            if (sizeShuffles) {
                spark.conf().set(shuffleKey, shufflePartitions(keptByDocumentSteps(counters),
                        spark.sparkContext().defaultParallelism(), Integer.parseInt(shuffleBefore)));
            }
            datasetStats = runDatasetSteps(all);
        } finally {
            if (sizeShuffles) {
                spark.conf().set(shuffleKey, shuffleBefore);
            }
            sideWrites.join();
        }

        // 4. stats.json, then _SUCCESS
        JobStats stats = stats(inputs, files, counters, datasetStats, (System.nanoTime() - t0) / 1e9);
        storage.writeString(path("stats.json"), Json.write(stats));
        storage.markComplete(out);
        System.err.printf("preprocess: done in %s: %s documents kept of %s read, %s errors -> %s%n",
                JobProgress.duration((System.nanoTime() - t0) / 1e9), stats.totals().get("documents"),
                stats.totals().get("records_read"), stats.totals().get("errors"), out);
        return stats;
    }

    /** Documents per shuffle partition of the corpus-level steps when Spark's setting is left to the job. */
    static final long DOCUMENTS_PER_SHUFFLE_PARTITION = 20_000;

    /**
     * Shuffle partitions for the corpus-level steps over {@code documents} rows: one per 20,000 documents (~100 MB
     * where a step shuffles the text itself, as dedup's final join does above its broadcast limit), at least the
     * cluster's parallelism, at most Spark's setting.
     */
    static int shufflePartitions(long documents, int parallelism, int sparkSetting) {
        long wanted = Math.max((documents + DOCUMENTS_PER_SHUFFLE_PARTITION - 1) / DOCUMENTS_PER_SHUFFLE_PARTITION,
                parallelism);
        return (int) Math.max(1, Math.min(wanted, sparkSetting));
    }

    /** Documents kept by the last per-document step (read's documents when the recipe has none). */
    private long keptByDocumentSteps(Map<String, Long> c) {
        long kept = c.getOrDefault("read.documents", 0L);
        for (DocumentStep s : recipe.documentSteps()) {
            kept = c.getOrDefault(s.name() + ".kept", 0L);
        }
        return kept;
    }

    /** The corpus-level steps over the kept records, each step's excluded rows, then documents; their stats. */
    private List<StepStats> runDatasetSteps(Dataset<Row> all) {
        Dataset<Row> docs = all.filter(col("status").equalTo(Schemas.KEPT)).select(documentColumns());
        List<StepStats> datasetStats = new ArrayList<>();
        StepOutput documents = new StepOutput(storage, path("documents"));
        if (!documents.isComplete()) {
            List<DatasetStep> datasetSteps = recipe.datasetSteps();
            for (int i = 0; i < datasetSteps.size(); i++) {
                DatasetStep step = datasetSteps.get(i);
                long s0 = System.nanoTime();
                spark.sparkContext().setJobDescription("preprocess: " + step.name());
                DatasetStep.Result r = step.apply(docs, new DatasetStep.Context(spark, out, overwrite));
                Dataset<Row> kept = r.kept().select(documentColumns());
                // The last step's kept rows are read once, by the documents write: no cache, so that adaptive
                // execution sizes that write's partitions (a cached join keeps spark.sql.shuffle.partitions = 200
                // partitions: 200 small files and 200 tasks, a quarter of the job's wall time at 80 MB of HTML).
                // A step followed by another is read twice or more (count, next step): cache it.
                boolean cache = i < datasetSteps.size() - 1;
                if (cache) {
                    kept = kept.persist(StorageLevel.MEMORY_AND_DISK());
                }
                Dataset<Row> excluded = r.excluded().withColumn("step", lit(step.name()));
                StepStats own = r.stats();
                long in = own != null ? own.documentsIn() : docs.count();
                writeOnce("excluded/" + step.name(), excluded, 0);
                // a step that keeps its own account (dedup) has counted already: no pass over its output for it
                long keptN = own != null ? own.documentsKept() : kept.count();
                double stepSeconds = (System.nanoTime() - s0) / 1e9;
                datasetStats.add(own != null
                        ? new StepStats(step.name(), own.documentsIn(), own.documentsKept(), own.bytesIn(),
                                own.bytesKept(), own.droppedByReason(), own.counters(), stepSeconds)
                        : new StepStats(step.name(), in, keptN, 0, 0, Map.of(step.name(), in - keptN), Map.of(),
                                stepSeconds));
                docs = kept;
            }
            spark.sparkContext().setJobDescription("preprocess: write documents");
            Dataset<Row> toWrite = partitions > 0 ? docs.repartition(partitions) : docs;
            documents.clear();
            toWrite.write().mode(SaveMode.Overwrite).parquet(documents.tempPath());
            documents.commit();
        }
        return datasetStats;
    }

    private Map<String, Long> readPass(List<String> files, String tmp) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        CountersAccumulator counters = new CountersAccumulator();
        spark.sparkContext().register(counters, "preprocess counters");
        LongAccumulator filesDone = spark.sparkContext().longAccumulator("files done");
        LongAccumulator docsDone = spark.sparkContext().longAccumulator("documents read");
        LongAccumulator bytesDone = spark.sparkContext().longAccumulator("bytes read");
        FileTask task = new FileTask(recipe.documentSteps(), readOptions, spark.sparkContext().hadoopConfiguration(),
                counters, filesDone, docsDone, bytesDone);
        // one partition per file: one task per file, so a crawl file is the unit of work and of retry
        JavaRDD<Row> rows = jsc.parallelize(files, Math.max(1, files.size())).mapPartitions(task);
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "preprocess-progress");
            t.setDaemon(true);
            return t;
        });
        long start = System.nanoTime();
        // counts arrive when a file's task ends (one task per file): the ETA is by files
        progress.scheduleAtFixedRate(() -> {
            double s = (System.nanoTime() - start) / 1e9;
            System.err.printf("preprocess: read %d/%d files, %,d documents (%,.0f docs/s), %s (%.2f MB/s), %s "
                    + "elapsed, ETA %s%n", filesDone.value(), files.size(), docsDone.value(),
                    docsDone.value() / Math.max(s, 1e-9), JobProgress.mb(bytesDone.value()),
                    bytesDone.value() / 1e6 / Math.max(s, 1e-9), JobProgress.duration(s),
                    JobProgress.eta(filesDone.value(), files.size(), s));
        }, 10, 10, TimeUnit.SECONDS);
        try {
            // this job prints its own progress (files, documents, MB): the generic per-job lines stay quiet
            spark.sparkContext().setLocalProperty(JobProgress.OWN_PROGRESS, "true");
            spark.sparkContext().setJobDescription("preprocess: read " + files.size()
                    + " files + " + String.join(",", recipe.documentSteps().stream().map(DocumentStep::name)
                    .toList()));
            spark.createDataFrame(rows, Schemas.STAGING).write().mode(SaveMode.Overwrite).parquet(tmp);
        } finally {
            spark.sparkContext().setLocalProperty(JobProgress.OWN_PROGRESS, null);
            progress.shutdownNow();
        }
        double s = (System.nanoTime() - start) / 1e9;
        System.err.printf("preprocess: read pass done: %d files, %,d documents, %s in %s (%,.0f docs/s, %.2f MB/s)%n",
                filesDone.value(), docsDone.value(), JobProgress.mb(bytesDone.value()), JobProgress.duration(s),
                docsDone.value() / s, bytesDone.value() / 1e6 / s);
        return counters.value();
    }

    /**
     * All per-document steps' exclusions in one Spark job (one job per step cost ten times as much on small
     * inputs): written partitioned by a copy of the step column, then each partition folder is moved to
     * {@code excluded/<step>} and marked complete. A step that dropped nothing gets an empty Parquet folder.
     */
    private void writeExcluded(Dataset<Row> all) {
        List<String> missing = new ArrayList<>();
        for (DocumentStep step : recipe.documentSteps()) {
            if (!new StepOutput(storage, path("excluded/" + step.name())).isComplete()) {
                missing.add(step.name());
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        String tmp = path("excluded/_tmp_by_step");
        storage.delete(tmp);
        spark.sparkContext().setJobDescription("preprocess: write excluded/" + String.join(",", missing));
        Dataset<Row> ex = all.filter(col("status").equalTo(Schemas.EXCLUDED).and(col("step").isin(missing.toArray())))
                .select(excludedColumns()).withColumn("_step", col("step"));
        ex.coalesce(Math.max(1, Math.min(ex.rdd().getNumPartitions(), 8))).write().mode(SaveMode.Overwrite)
                .partitionBy("_step").parquet(tmp);
        for (String name : missing) {
            StepOutput o = new StepOutput(storage, path("excluded/" + name));
            o.clear();
            String part = tmp + "/_step=" + name;
            try {
                org.apache.hadoop.fs.FileSystem fs = storage.fs(part);
                if (fs.exists(new org.apache.hadoop.fs.Path(part))) {
                    fs.mkdirs(new org.apache.hadoop.fs.Path(o.tempPath()).getParent());
                    if (!fs.rename(new org.apache.hadoop.fs.Path(part), new org.apache.hadoop.fs.Path(o.tempPath()))) {
                        throw new java.io.IOException("rename " + part + " -> " + o.tempPath() + " failed");
                    }
                } else {
                    spark.createDataFrame(List.of(), ex.drop("_step").schema()).coalesce(1).write()
                            .mode(SaveMode.Overwrite).parquet(o.tempPath());
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            o.commit();
        }
        storage.delete(tmp);
    }

    private void writeOnce(String name, Dataset<Row> data, int coalesce) {
        StepOutput o = new StepOutput(storage, path(name));
        if (o.isComplete()) {
            return;
        }
        o.clear();
        spark.sparkContext().setJobDescription("preprocess: write " + name);
        // excluded and errors are small next to documents: a few files each, not one per input file
        Dataset<Row> d = coalesce > 0 ? data.coalesce(coalesce) : data.coalesce(Math.max(1,
                Math.min(data.rdd().getNumPartitions(), 8)));
        d.write().mode(SaveMode.Overwrite).parquet(o.tempPath());
        o.commit();
    }

    private static Column[] documentColumns() {
        Column[] c = new Column[Schemas.DOCUMENT_COLUMNS.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = col(Schemas.DOCUMENT_COLUMNS[i]);
        }
        return c;
    }

    private static Column[] excludedColumns() {
        Column[] d = documentColumns();
        Column[] c = new Column[d.length + 2];
        System.arraycopy(d, 0, c, 0, d.length);
        c[d.length] = col("step");
        c[d.length + 1] = col("reason");
        return c;
    }

    private JobStats stats(List<String> inputs, List<String> files, Map<String, Long> c,
                           List<StepStats> datasetStats, double seconds) {
        List<StepStats> steps = new ArrayList<>();
        Map<String, Long> readDropped = new TreeMap<>();
        Map<String, Long> readCounters = new TreeMap<>();
        c.forEach((k, v) -> {
            if (k.startsWith("read.skipped.")) {
                readDropped.put(k.substring("read.skipped.".length()), v);
            } else if (k.startsWith("read.")) {
                readCounters.put(k.substring(5), v);
            }
        });
        readCounters.put("input_files", (long) files.size());
        long readDocs = c.getOrDefault("read.documents", 0L);
        steps.add(new StepStats("read", c.getOrDefault("read.records", 0L), readDocs, c.getOrDefault("read.bytes", 0L),
                c.getOrDefault("read.bytes", 0L), readDropped, readCounters, 0));
        for (DocumentStep s : recipe.documentSteps()) {
            String n = s.name() + ".";
            Map<String, Long> dropped = new TreeMap<>();
            Map<String, Long> counters = new TreeMap<>();
            c.forEach((k, v) -> {
                if (k.startsWith(n + "dropped.")) {
                    dropped.put(k.substring(n.length() + 8), v);
                } else if (k.startsWith(n + "counter.")) {
                    counters.put(k.substring(n.length() + 8), v);
                }
            });
            steps.add(new StepStats(s.name(), c.getOrDefault(n + "in", 0L), c.getOrDefault(n + "kept", 0L),
                    c.getOrDefault(n + "bytes_in", 0L), c.getOrDefault(n + "bytes_kept", 0L), dropped, counters,
                    c.getOrDefault(n + "nanos", 0L) / 1e9));
        }
        long lastKept = keptByDocumentSteps(c);
        steps.addAll(datasetStats);
        if (!datasetStats.isEmpty()) {
            lastKept = datasetStats.get(datasetStats.size() - 1).documentsKept();
        }
        Map<String, Object> totals = new TreeMap<>();
        totals.put("input_files", files.size());
        totals.put("records_read", c.getOrDefault("read.records", 0L));
        totals.put("documents_read", readDocs);
        totals.put("documents", lastKept);
        long errors = c.getOrDefault("read.errors", 0L);
        for (DocumentStep s : recipe.documentSteps()) {
            errors += c.getOrDefault(s.name() + ".dropped.error", 0L);
        }
        totals.put("errors", errors);
        totals.put("bytes_read", c.getOrDefault("read.bytes", 0L));
        return new JobStats("preprocess", inputs, steps, totals, seconds);
    }
}
