package io.sparkgpt.spark.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.common.io.Storage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The S3A path end to end against a real s3proxy: Hadoop FileSystem through Storage, then Spark Parquet. */
class S3ProxyServerTest {
    @TempDir
    static Path tmp;
    static S3ProxyServer s3;
    static String bucket;

    @BeforeAll
    static void start() {
        s3 = S3ProxyServer.start(tmp);
        bucket = s3.createBucket("sparkgpt-test");
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void storageWritesReadsAndCommitsThroughS3a() {
        Storage storage = new Storage(s3.hadoopConfiguration());
        String dir = bucket + "/step";
        String file = dir + "/part.txt";
        storage.requireWritable(dir);
        assertFalse(storage.exists(file));

        storage.writeString(file, "hello s3a");
        assertTrue(storage.exists(file));
        assertEquals("hello s3a", storage.readString(file));
        // the object really lies in the server's filesystem backend: not a client-side illusion
        Path onDisk = s3.root().resolve("sparkgpt-test/step/part.txt");
        assertTrue(Files.exists(onDisk), "object should be stored at " + onDisk);

        byte[] bytes = "overwritten".getBytes(StandardCharsets.UTF_8);
        storage.writeAtomically(file, bytes);
        assertArrayEquals(bytes, storage.readAll(file));

        assertFalse(storage.isComplete(dir));
        storage.markComplete(dir);
        assertTrue(storage.isComplete(dir));

        storage.delete(dir);
        assertFalse(storage.exists(file));
    }

    @Test
    void wrongSecretIsRefused() {
        Configuration conf = s3.hadoopConfiguration();
        conf.set("fs.s3a.secret.key", "not-the-secret");
        Storage storage = new Storage(conf);
        assertThrows(RuntimeException.class, () -> storage.writeString(bucket + "/denied.txt", "x"));
        assertFalse(Files.exists(s3.root().resolve("sparkgpt-test/denied.txt")));
    }

    @Test
    void sparkWritesAndReadsParquetOnS3a() {
        SparkSession.Builder builder = SparkSession.builder().master("local[2]").appName("s3proxy-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2");
        s3.sparkSettings().forEach(builder::config);
        SparkSession spark = builder.getOrCreate();
        try {
            String out = bucket + "/numbers";
            spark.range(0, 1000).selectExpr("id", "cast(id * 2 as string) as doubled")
                    .repartition(3).write().mode("overwrite").parquet(out);
            Dataset<Row> back = spark.read().parquet(out);
            assertEquals(1000, back.count());
            assertEquals(999L * 1000 / 2, back.selectExpr("sum(id)").first().getLong(0));
            List<Row> row = back.where("id = 21").collectAsList();
            assertEquals("42", row.get(0).getString(1));
            assertTrue(Files.exists(s3.root().resolve("sparkgpt-test/numbers/_SUCCESS")));
        } finally {
            spark.stop();
        }
    }
}
