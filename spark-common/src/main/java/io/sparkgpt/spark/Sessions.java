package io.sparkgpt.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The SparkSession of a job. Under {@code spark-submit} the master and settings come from the submitter; run
 * directly (tests, the IDE) a job falls back to {@code local[*]}. The S3A file system is wired so that
 * {@code s3a://} paths work once credentials and endpoint are given as {@code spark.hadoop.fs.s3a.*}.
 *
 * <p>A session made here reports the progress of its jobs on stderr ({@link JobProgress}).
 *
 * <p>Kryo is deliberately not switched on: the jobs broadcast and ship Java records (immutable configs), and the
 * Kryo 4 inside Spark 3.5 cannot serialise record classes ("can't get field offset on a record class").
 */
public final class Sessions {
    private Sessions() {}

    public static SparkSession getOrCreate(String appName) {
        SparkConf conf = new SparkConf(true).setAppName(appName);
        if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        conf.setIfMissing("spark.sql.session.timeZone", "UTC");
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        conf.setIfMissing("spark.hadoop.fs.s3a.impl", "org.apache.hadoop.fs.s3a.S3AFileSystem");
        // timestamps as Parquet's standard TIMESTAMP(MICROS), not Spark's legacy INT96: what other readers expect
        conf.setIfMissing("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");
        // Parquet output without the Hadoop committer's extra rename pass on object stores is not needed here:
        // each step writes to a temporary folder and is committed by StepOutput.
        boolean fresh = SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        if (fresh) {
            JobProgress.register(spark.sparkContext()); // progress lines on stderr, whatever the log level
        }
        return spark;
    }
}
