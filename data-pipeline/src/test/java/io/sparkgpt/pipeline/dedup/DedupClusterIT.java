package io.sparkgpt.pipeline.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.spark.testing.LocalCluster;
import io.sparkgpt.spark.testing.Scripts;
import io.sparkgpt.spark.testing.SharedLocalCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dedup job on a real standalone cluster (local-cluster.sh: a Master and 2 Workers of 1 core, 1g), submitted
 * with the shaded job jar through submit.sh: the same result as in local mode.
 */
@ExtendWith(SharedLocalCluster.class)
class DedupClusterIT {
    static final String JOB = "io.sparkgpt.pipeline.dedup.DedupJob";
    static final String SHORT_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

    @TempDir
    Path tmp;

    @Test
    void sameResultOnTheStandaloneCluster(LocalCluster cluster) throws IOException {
        Path in = tmp.resolve("in");
        Path localOut = tmp.resolve("local");
        SparkSession spark = DedupFixtures.spark();
        long keptLocal;
        List<Row> excludedLocal;
        try {
            DedupFixtures.documents(spark, DedupJobTest.corpus()).repartition(2).write().parquet(in.toString());
            assertEquals(0, DedupJobTest.run("--input", in.toString(), "--output", localOut.toString()));
            keptLocal = spark.read().parquet(localOut.resolve("documents").toString()).count();
            excludedLocal = spark.read().parquet(localOut.resolve("excluded/dedup").toString())
                    .select("id", "reason", "duplicate_of").orderBy("id").collectAsList();
        } finally {
            spark.stop();
        }

        Path clusterOut = tmp.resolve("cluster");
        Scripts.Result r = cluster.submit(List.of("--class", JOB, "--executor-memory", "1g",
                // short-lived JVMs on 2 shared cores: the C1 JIT alone and the serial GC (test-only; the job's
                // code is the same, its JVMs stop compiling with C2 and run no concurrent GC threads)
                "--conf", "spark.driver.extraJavaOptions=" + SHORT_JVM, "--conf",
                "spark.executor.extraJavaOptions=" + SHORT_JVM, Scripts.jobJar("data-pipeline").toString(),
                "--input", in.toString(), "--output", clusterOut.toString(), "--partitions", "4"),
                // the job runs ~15 small Spark jobs: minutes on a loaded 2-core machine (6 min was not enough)
                Duration.ofMinutes(15));
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("dedup: 69 documents in, 60 kept"), r.toString());
        assertTrue(Files.exists(clusterOut.resolve("_SUCCESS")));
        SparkSession check = DedupFixtures.spark();
        try {
            assertEquals(keptLocal, check.read().parquet(clusterOut.resolve("documents").toString()).count());
            Dataset<Row> ex = check.read().parquet(clusterOut.resolve("excluded/dedup").toString());
            assertEquals(excludedLocal, ex.select("id", "reason", "duplicate_of").orderBy("id").collectAsList());
        } finally {
            check.stop();
        }
    }
}
