package io.sparkgpt.pipeline.dedup;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.sql.Timestamp;
import java.util.SplittableRandom;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Run by {@link GiantClusterTest} in its own JVM with a small heap: {@code copies} near copies of one 200-word text
 * (each with one word of its own, so no two are exact copies) plus {@code background} unrelated texts, all
 * generated inside Spark. Prints "RESULT kept=<n> clusters=<n> largest=<n> rounds=<n>" on success.
 */
public final class GiantClusterMain {
    private GiantClusterMain() {}

    static String text(long seed, int words, long uniqueAt, String unique) {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < words; i++) {
            if (i > 0) {
                b.append(' ');
            }
            b.append(i == uniqueAt ? unique : "w" + Integer.toString(r.nextInt(5000), 36));
        }
        return b.toString();
    }

    public static void main(String[] args) {
        long copies = Long.parseLong(args[0]);
        long background = Long.parseLong(args[1]);
        SparkSession spark = SparkSession.builder().master("local[2]").appName("dedup-giant")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "8")
                .config("spark.sql.session.timeZone", "UTC")
                .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        Dataset<Row> ids = spark.range(copies + background).toDF("n");
        Dataset<String> texts = ids.map((MapFunction<Row, String>) row -> {
            long n = row.getLong(0);
            return n < copies ? text(1234, 200, n % 200, "copy" + n) : text(n * 7919, 200, -1, "");
        }, Encoders.STRING());
        Dataset<Row> docs = texts.withColumn("n", org.apache.spark.sql.functions.monotonically_increasing_id())
                .select(org.apache.spark.sql.functions.sha1(col("value")).as("id"),
                        org.apache.spark.sql.functions.concat(lit("http://giant/"),
                                org.apache.spark.sql.functions.sha1(col("value"))).as("url"),
                        lit("giant").as("source"), lit(new Timestamp(0)).as("fetch_time"),
                        lit("en").as("language"), lit(1.0).as("language_score"), col("value").as("text"));
        DedupResult res = new Deduplicator(DedupConfig.defaults()).apply(docs);
        long kept = res.kept().count();
        System.out.println("RESULT kept=" + kept + " clusters=" + res.stats().counters().get("clusters")
                + " largest=" + res.stats().counters().get("largest_cluster")
                + " rounds=" + res.stats().counters().get("cc_rounds")
                + " candidate_pairs=" + res.stats().counters().get("candidate_pairs")
                + " maxHeapMiB=" + Runtime.getRuntime().maxMemory() / (1 << 20));
        spark.stop();
    }
}
