package io.sparkgpt.pipeline.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.pipeline.TestData;
import io.sparkgpt.spark.testing.LocalCluster;
import io.sparkgpt.spark.testing.Scripts;
import io.sparkgpt.spark.testing.SharedLocalCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded job jar on a real standalone cluster (local-cluster.sh: a Master and 2 Workers, submit.sh in client
 * mode) gives exactly the documents of the same job run in-process in local[*]: same ids, same texts, same
 * languages.
 */
@ExtendWith(SharedLocalCluster.class)
class PreprocessClusterIT {
    static final String JOB = "io.sparkgpt.pipeline.preprocess.PreprocessJob";

    @TempDir
    Path tmp;

    @Test
    void clusterRunEqualsLocalRun(LocalCluster cluster) throws IOException {
        Path in = tmp.resolve("in");
        Files.createDirectories(in);
        for (String f : List.of("resiliparse-warcfile.warc.gz", "whirlwind-CC-MAIN-2024-22.warc.gz",
                "npm-warc-CC-MAIN-2014-35-sample.warc.wet", "warcio-example-iana.org-chunked.warc")) {
            Files.copy(TestData.warc(f), in.resolve(f));
        }
        Path clusterOut = tmp.resolve("cluster-out");
        Scripts.Result r = cluster.submit(List.of("--class", JOB, "--executor-memory", "1g", Scripts.jobJar("data-pipeline").toString(),
                "--input", in.toString(), "--output", clusterOut.toString()));
        assertEquals(0, r.exitCode(), r.toString());
        String json = cluster.masterJson().replaceAll("\\s", "");
        assertTrue(json.matches(".*\"completedapps\":\\[.*\"name\":\"preprocess\".*"), json);
        Path localOut = tmp.resolve("local-out");
        System.setProperty("spark.master", "local[*]");
        System.setProperty("spark.ui.enabled", "false");
        assertEquals(0, Cli.execute(new PreprocessJob(), "--input", in.toString(), "--output", localOut.toString()));
        SparkSession spark = SparkSession.active();
        Dataset<Row> a = spark.read().parquet(clusterOut.resolve("documents").toString())
                .select("id", "text", "language", "url");
        Dataset<Row> b = spark.read().parquet(localOut.resolve("documents").toString())
                .select("id", "text", "language", "url");
        long n = b.count();
        assertTrue(n > 0);
        assertEquals(n, a.count());
        assertEquals(0, a.except(b).count());
        assertEquals(0, b.except(a).count());
        assertTrue(Files.exists(clusterOut.resolve("stats.json")) && Files.exists(clusterOut.resolve("_SUCCESS")));
    }
}
