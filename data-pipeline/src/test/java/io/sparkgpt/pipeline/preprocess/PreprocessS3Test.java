package io.sparkgpt.pipeline.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.pipeline.TestData;
import io.sparkgpt.spark.testing.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job against a real S3-compatible server (s3proxy on 127.0.0.1, started and stopped by the test): WARC files
 * are uploaded to a bucket, read through s3a:// (a folder and a listing file), and the whole output is written
 * back to the bucket; the objects are checked on the server's filesystem backend.
 */
class PreprocessS3Test {
    @TempDir
    Path tmp;

    @Test
    void readsWarcFromABucketAndWritesTheOutputThere() throws Exception {
        SparkSession spark = SparkTests.local();
        try (S3ProxyServer s3 = S3ProxyServer.start(tmp)) {
            String bucket = s3.createBucket("crawl");
            s3.hadoopSettings().forEach((k, v) -> spark.sparkContext().hadoopConfiguration().set(k, v));
            Storage storage = new Storage(spark.sparkContext().hadoopConfiguration());
            List<String> names = List.of("whirlwind-CC-MAIN-2024-22.warc.gz", "jwarc-cc.warc.gz",
                    "whirlwind-CC-MAIN-2024-22.warc.wet.gz");
            for (String f : names) {
                storage.writeAtomically(bucket + "/in/" + f, Files.readAllBytes(TestData.warc(f)));
            }
            // a Common Crawl style listing: relative paths resolved against --listing-prefix
            storage.writeString(bucket + "/warc.paths", "in/" + names.get(0) + "\nin/" + names.get(1) + "\n");

            String out = bucket + "/out";
            int rc = Cli.execute(new PreprocessJob(), "--input", bucket + "/warc.paths", bucket + "/in/" + names.get(2),
                    "--output", out, "--listing-prefix", bucket + "/", "--steps", "select,extract,pii");
            assertEquals(0, rc);
            Path backend = s3.root().resolve("crawl/out");
            for (String p : List.of("_SUCCESS", "stats.json", "documents/_SUCCESS", "errors/_SUCCESS",
                    "excluded/select/_SUCCESS")) {
                assertTrue(Files.exists(backend.resolve(p)), "object " + p + " on the server");
            }
            Dataset<Row> docs = spark.read().parquet(out + "/documents");
            List<Row> rows = docs.select("source", "url").collectAsList();
            assertEquals(3, rows.size(), rows.toString());
            assertTrue(rows.stream().allMatch(r -> r.getString(0).startsWith("s3a://crawl/in/")), rows.toString());
            assertTrue(rows.stream().anyMatch(r -> "https://an.wikipedia.org/wiki/Escopete".equals(r.getString(1))));
            assertEquals(0, spark.read().parquet(out + "/errors").count());
        }
    }
}
