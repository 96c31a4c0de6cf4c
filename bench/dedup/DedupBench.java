import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.sparkgpt.pipeline.dedup.DedupConfig;
import io.sparkgpt.pipeline.dedup.DedupResult;
import io.sparkgpt.pipeline.dedup.Deduplicator;
import io.sparkgpt.pipeline.dedup.Shingler;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.HashingTF;
import org.apache.spark.ml.feature.MinHashLSH;
import org.apache.spark.ml.feature.MinHashLSHModel;
import org.apache.spark.ml.feature.NGram;
import org.apache.spark.ml.feature.RegexTokenizer;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Dedup benchmark: a synthetic corpus of N documents (words drawn from the word list of the real English texts in
 * shared/data/text/en, 120-280 words each) in which 10% are planted near copies of another document (word
 * substitution rate 1%, 2% or 3%: Jaccard of word 5-grams about 0.9, 0.82, 0.75). The same Parquet goes through
 * our Deduplicator (fuzzy stage, defaults) and through Spark MLlib (RegexTokenizer -> NGram(5) -> HashingTF
 * binary 2^20 -> MinHashLSH(numHashTables) -> approxSimilarityJoin at distance <= 0.3). Both runs end by writing
 * their result (excluded ids, resp. pairs) to Parquet. Each planted pair's exact Jaccard of word 5-grams is computed
 * when the corpus is generated (random substitutions push some copies below the 0.7 threshold that defines a
 * duplicate for both methods). Recall = planted pairs at Jaccard >= 0.7 found (same cluster, resp. a joined pair);
 * recall against all planted copies is printed beside it. Peak heap is sampled every 50 ms. Last line: ratio
 * MLlib time / our time at the largest size.
 *
 * Usage: DedupBench <workdir> <shared data dir> <mllib hash tables> <size> [<size> ...]
 */
public final class DedupBench {
    static final AtomicLong peak = new AtomicLong();

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        Path shared = Path.of(args[1]);
        int tables = Integer.parseInt(args[2]);
        long capAbsS = Long.getLong("bench.mllibCapS", 3600);
        double capFactor = Double.parseDouble(System.getProperty("bench.mllibCapFactor", "0"));
        List<Long> sizes = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            sizes.add(Long.parseLong(args[i]));
        }
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        Thread sampler = new Thread(() -> {
            while (true) {
                peak.accumulateAndGet(mem.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();

        SparkSession spark = SparkSession.builder().appName("dedup-bench")
                .config("spark.master", System.getProperty("bench.master", "local[2]"))
                .config("spark.ui.enabled", "false")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .config("spark.sql.shuffle.partitions", System.getProperty("bench.partitions", "16"))
                .config("spark.local.dir", work.resolve("spark-local").toString())
                .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");

        StringBuilder words = new StringBuilder();
        for (String f : List.of("pp-1342-0.txt", "alice-11-0.txt", "moby-2701-0.txt", "tinyshakespeare-input.txt")) {
            words.append(Files.readString(shared.resolve("text/en").resolve(f), StandardCharsets.UTF_8)).append(' ');
        }
        String[] vocab = words.toString().split("\\s+");
        System.out.printf("vocabulary: %d word tokens from shared/data/text/en%n", vocab.length);
        System.out.printf("machine: %d cores visible, max heap %d MiB, master %s%n",
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                spark.sparkContext().master());
        System.out.println("| docs | ours s | ours recall (J>=0.7) | ours peak heap MiB | ours pairs | mllib s | mllib recall (J>=0.7) "
                + "| mllib peak heap MiB | mllib pairs | mllib/ours |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        double lastRatio = 0;
        long lastN = 0;
        String lastLine = "";
        for (long n : sizes) {
            String corpus = work.resolve("corpus-v2-" + n).toString();
            generate(spark, vocab, n, corpus);
            Dataset<Row> docs = spark.read().parquet(corpus);
            double threshold = DedupConfig.defaults().jaccardThreshold();
            Dataset<Row> dupCopies = docs.where(col("planted_of").isNotNull()
                    .and(col("planted_jaccard").geq(threshold)));
            long planted = dupCopies.count();
            long plantedAll = docs.where(col("planted_of").isNotNull()).count();
            System.out.printf(Locale.ROOT, "corpus %d docs: %d planted copies, %d of them at Jaccard >= %.2f%n", n,
                    plantedAll, planted, threshold);

            // ours
            System.gc();
            peak.set(0);
            long t0 = System.nanoTime();
            DedupResult res = new Deduplicator(DedupConfig.defaults().withStages(false, false, true))
                    .apply(spark.read().parquet(corpus));
            String oursOut = work.resolve("ours-" + n).toString();
            res.excluded().select("id", "duplicate_of", "similarity").write().mode(SaveMode.Overwrite)
                    .parquet(oursOut);
            double oursS = (System.nanoTime() - t0) / 1e9;
            long oursPeak = peak.get() >> 20;
            long oursPairs = res.stats().counters().getOrDefault("verified_pairs", 0L);
            // recall: copy and source in one cluster (representative = duplicate_of, or itself when kept)
            Dataset<Row> ex = spark.read().parquet(oursOut);
            Dataset<Row> rep = docs.select(col("id"), col("planted_of"))
                    .join(ex.select(col("id").as("eid"), col("duplicate_of")), col("id").equalTo(col("eid")),
                            "left")
                    .select(col("id"), col("planted_of"),
                            org.apache.spark.sql.functions.coalesce(col("duplicate_of"), col("id")).as("rep"));
            Dataset<Row> repSrc = rep.select(col("id").as("sid"), col("rep").as("srep"));
            Dataset<Row> oursHits = rep.where(col("planted_of").isNotNull())
                    .join(repSrc, col("planted_of").equalTo(col("sid")))
                    .where(col("rep").equalTo(col("srep"))).select("id");
            long oursFoundAll = oursHits.count();
            long oursFound = oursHits.join(dupCopies.select("id"), "id").count();

            System.out.printf(Locale.ROOT, "ours at %d docs: %.1f s, recall %.4f (%d of %d planted at J >= %.2f; "
                    + "%d of all %d planted), peak heap %d MiB, %d verified pairs%n", n, oursS,
                    (double) oursFound / planted, oursFound, planted, threshold, oursFoundAll, plantedAll, oursPeak,
                    oursPairs);

            // MLlib
            System.gc();
            peak.set(0);
            long t1 = System.nanoTime();
            Dataset<Row> in = spark.read().parquet(corpus).select("id", "text");
            RegexTokenizer tok = new RegexTokenizer().setInputCol("text").setOutputCol("words")
                    .setPattern("\\W+").setToLowercase(true);
            NGram ngram = new NGram().setN(5).setInputCol("words").setOutputCol("grams");
            HashingTF tf = new HashingTF().setInputCol("grams").setOutputCol("features")
                    .setNumFeatures(1 << 20).setBinary(true);
            PipelineModel feats = new Pipeline().setStages(new PipelineStage[] {tok, ngram, tf}).fit(in);
            org.apache.spark.sql.expressions.UserDefinedFunction nonEmpty = org.apache.spark.sql.functions.udf(
                    (UDF1<SparseVector, Boolean>) v -> v.numNonzeros() > 0, DataTypes.BooleanType);
            Dataset<Row> f = feats.transform(in).select("id", "features")
                    .where(nonEmpty.apply(col("features")));
            MinHashLSHModel lsh = new MinHashLSH().setNumHashTables(tables).setInputCol("features")
                    .setOutputCol("hashes").setSeed(42).fit(f);
            Dataset<Row> pairs = lsh.approxSimilarityJoin(f, f, 0.3, "dist")
                    .select(col("datasetA.id").as("a"), col("datasetB.id").as("b"), col("dist"))
                    .where(col("a").lt(col("b")));
            String mlOut = work.resolve("mllib-" + n).toString();
            // a cap on MLlib's time (bench.mllibCapS, or bench.mllibCapFactor x our time when set): past it its
            // jobs are cancelled and the row says "> cap"
            long capS = capFactor > 0 ? Math.min(capAbsS, (long) Math.ceil(capFactor * oursS)) : capAbsS;
            String group = "mllib-" + n;
            spark.sparkContext().setJobGroup(group, "MLlib MinHashLSH at " + n + " docs", true);
            java.util.concurrent.ScheduledExecutorService timer =
                    java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
            timer.schedule(() -> spark.sparkContext().cancelJobGroup(group), capS, java.util.concurrent.TimeUnit.SECONDS);
            boolean capped = false;
            try {
                pairs.write().mode(SaveMode.Overwrite).parquet(mlOut);
            } catch (Exception e) {
                if (System.nanoTime() - t1 < capS * 1_000_000_000L) {
                    throw e;
                }
                capped = true;
            } finally {
                timer.shutdownNow();
                spark.sparkContext().clearJobGroup();
            }
            double mlS = (System.nanoTime() - t1) / 1e9;
            long mlPeak = peak.get() >> 20;
            if (capped) {
                double atLeast = mlS / oursS;
                System.out.printf(Locale.ROOT, "| %d | %.1f | %.4f | %d | %d | > %.0f (cancelled) | - | %d | - | > %.2fx |%n",
                        n, oursS, (double) oursFound / planted, oursPeak, oursPairs, mlS, mlPeak, atLeast);
                lastRatio = atLeast;
                lastN = n;
                lastLine = String.format(Locale.ROOT, "(at least: MLlib cancelled after %.0f s; ours %.1f s recall "
                        + "%.4f)", mlS, oursS, (double) oursFound / planted);
                continue;
            }
            Dataset<Row> mp = spark.read().parquet(mlOut);
            long mlPairs = mp.count();
            Dataset<Row> plantedPairs = dupCopies.select(
                    org.apache.spark.sql.functions.least(col("id"), col("planted_of")).as("pa"),
                    org.apache.spark.sql.functions.greatest(col("id"), col("planted_of")).as("pb"));
            long mlFound = plantedPairs.join(mp, col("pa").equalTo(col("a")).and(col("pb").equalTo(col("b"))),
                    "left_semi").count();
            System.out.printf(Locale.ROOT, "mllib at %d docs: %.1f s, recall %.4f (%d of %d planted at J >= %.2f)%n",
                    n, mlS, (double) mlFound / planted, mlFound, planted, threshold);

            double ratio = mlS / oursS;
            System.out.printf(Locale.ROOT, "| %d | %.1f | %.4f | %d | %d | %.1f | %.4f | %d | %d | %.2fx |%n", n,
                    oursS, (double) oursFound / planted, oursPeak, oursPairs, mlS, (double) mlFound / planted,
                    mlPeak, mlPairs, ratio);
            lastRatio = ratio;
            lastN = n;
            lastLine = String.format(Locale.ROOT, "(ours %.1f s recall %.4f; MLlib MinHashLSH %d tables %.1f s "
                    + "recall %.4f)", oursS, (double) oursFound / planted, tables, mlS, (double) mlFound / planted);
        }
        spark.stop();
        System.out.printf(Locale.ROOT, "dedup speed-up over MLlib MinHashLSH at %d docs: %.2fx %s%n", lastN,
                lastRatio, lastLine);
    }

    static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.StringType).add("url", DataTypes.StringType)
            .add("source", DataTypes.StringType).add("fetch_time", DataTypes.TimestampType)
            .add("language", DataTypes.StringType).add("language_score", DataTypes.DoubleType)
            .add("text", DataTypes.StringType).add("planted_of", DataTypes.StringType)
            .add("planted_jaccard", DataTypes.DoubleType);

    static String idOf(long i) {
        return String.format("%016x", i * 0x9E3779B97F4A7C15L);
    }

    /** Document i: random words; 10% (i % 10 == 7) are a copy of document i - 1 - (i*31 % 1000) with edits. */
    static String textOf(String[] vocab, long i) {
        SplittableRandom r = new SplittableRandom(i * 0x632BE59BD9B4E019L + 17);
        int len = 120 + r.nextInt(161);
        StringBuilder b = new StringBuilder(len * 6);
        for (int k = 0; k < len; k++) {
            if (k > 0) {
                b.append(' ');
            }
            b.append(vocab[r.nextInt(vocab.length)]);
        }
        return b.toString();
    }

    static long sourceOf(long i) {
        return i % 10 == 7 && i > 1000 ? i - 1 - (i * 31 % 1000) : -1;
    }

    static void generate(SparkSession spark, String[] vocab, long n, String out) {
        if (Files.exists(Path.of(out, "_SUCCESS"))) {
            return;
        }
        org.apache.spark.broadcast.Broadcast<String[]> bv = spark.sparkContext().broadcast(vocab,
                scala.reflect.ClassTag$.MODULE$.apply(String[].class));
        Dataset<Row> rows = spark.range(0, n, 1, 16).map((MapFunction<Long, Row>) i -> {
            String[] v = bv.value();
            long src = sourceOf(i);
            String text;
            Double jaccard = null;
            if (src < 0) {
                text = textOf(v, i);
            } else {
                // substitution rate 1%, 2% or 3% of the source's words
                double rate = 0.01 * (1 + (i / 10) % 3);
                SplittableRandom r = new SplittableRandom(i);
                String[] w = textOf(v, src).split(" ");
                for (int k = 0; k < w.length; k++) {
                    if (r.nextDouble() < rate) {
                        w[k] = v[r.nextInt(v.length)];
                    }
                }
                text = String.join(" ", w);
                Shingler sh = new Shingler(DedupConfig.defaults().ngram(), DedupConfig.defaults().charNgram());
                jaccard = Shingler.jaccard(sh.shingles(text, "en"), sh.shingles(textOf(v, src), "en"));
            }
            return RowFactory.create(idOf(i), "http://bench/" + i, "bench", new Timestamp(0), "en", 1.0, text,
                    src < 0 ? null : idOf(src), jaccard);
        }, Encoders.row(SCHEMA));
        rows.write().mode(SaveMode.Overwrite).parquet(out);
    }
}
