package io.sparkgpt.pipeline.preprocess;

import org.apache.spark.sql.SparkSession;

/** One local[2] session for this module's preprocess tests (the job reuses the active session). */
public final class SparkTests {
    private SparkTests() {}

    public static synchronized SparkSession local() {
        System.setProperty("spark.master", "local[2]");
        System.setProperty("spark.ui.enabled", "false");
        System.setProperty("spark.sql.shuffle.partitions", "4");
        System.setProperty("spark.driver.host", "127.0.0.1");
        return io.sparkgpt.spark.Sessions.getOrCreate("preprocess-test");
    }
}
