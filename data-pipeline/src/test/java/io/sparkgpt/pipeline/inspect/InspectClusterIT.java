package io.sparkgpt.pipeline.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.spark.testing.LocalCluster;
import io.sparkgpt.spark.testing.Scripts;
import io.sparkgpt.spark.testing.SharedLocalCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole deployment path on a real standalone cluster (the module's shared one, {@link SharedLocalCluster}:
 * local-cluster.sh starts a Master and 2 Workers, 1 core and 1g each, and stops it at the end of the run checking
 * that no process is left): submit.sh sends the shaded job jar in client and in cluster deploy mode. Readable
 * failures go through the same scripts. The cluster's own start, status and stop, and a submit to a master that is
 * not up, are spark-common's LocalClusterTest (this test started and stopped a cluster of its own for them).
 */
@ExtendWith(SharedLocalCluster.class)
class InspectClusterIT {
    static final String JOB = "io.sparkgpt.pipeline.inspect.InspectJob";

    @TempDir
    static Path tmp;
    static String jar;
    static Path documents;
    static LocalCluster cluster;

    @BeforeAll
    static void setUp(LocalCluster shared) throws IOException {
        jar = Scripts.jobJar("data-pipeline").toString();
        Path job = tmp.resolve("job");
        documents = job.resolve("documents");
        SparkSession spark = SparkSession.builder().master("local[1]").appName("inspect-it-data")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            InspectJobTest.writeDocuments(spark, documents.toString(), 7);
        } finally {
            spark.stop();
        }
        Files.writeString(job.resolve("stats.json"), "{\n  \"job\" : \"cluster-it\"\n}\n");
        cluster = shared;
    }

    @Test
    void clientModePrintsTheReportAndRunsOnTheCluster() {
        Scripts.Result r = cluster.submit(List.of("--class", JOB, "--executor-memory", "1g", jar,
                "--input", documents.toString(), "--rows", "2", "--truncate"));
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("rows: 7"), r.toString());
        assertTrue(r.stdout().contains("|-- signals: map (nullable = true)"), r.toString());
        assertTrue(r.stdout().contains("-- row 2") && !r.stdout().contains("-- row 3"), r.toString());
        assertTrue(r.stdout().contains("\"job\" : \"cluster-it\""), r.toString());
        // the executors were the cluster's: the master lists the finished application
        String json = cluster.masterJson().replaceAll("\\s", "");
        assertTrue(json.matches(".*\"completedapps\":\\[.*\"name\":\"inspect\".*"), json);
    }

    @Test
    void clusterModeRunsTheDriverOnAWorker() throws IOException {
        Path report = tmp.resolve("reports/cluster-mode.txt");
        Scripts.Result r = cluster.submit(List.of("--deploy-mode", "cluster", "--driver-memory", "512m",
                "--class", JOB, jar, "--input", documents.toString(), "--rows", "1", "--report",
                report.toString()));
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.output().contains("State of driver"), r.toString());
        assertTrue(Files.exists(report), "the driver should have written " + report + "\n" + r);
        String text = Files.readString(report);
        assertTrue(text.contains("rows: 7") && text.contains("\"job\" : \"cluster-it\""), text);
        // the driver ran inside a worker's work dir, and its stdout is the same report
        List<Path> stdouts = cluster.driverStdouts();
        assertFalse(stdouts.isEmpty(), "no driver-*/stdout under " + cluster.dir());
        assertEquals(text, Files.readString(stdouts.get(stdouts.size() - 1)));
        String json = cluster.masterJson().replaceAll("\\s", "");
        assertTrue(json.matches(".*\"completeddrivers\":\\[.*\"state\":\"FINISHED\".*"), json);
    }

    @Test
    void missingInputIsOneLineExit2() {
        Path missing = tmp.resolve("nowhere");
        Scripts.Result r = cluster.submit(List.of("--class", JOB, jar, "--input", missing.toString()));
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(List.of("inspect: input " + missing + " does not exist"), r.stderrLines(), r.toString());
    }

    @Test
    void badOptionIsOneLineExit2() {
        Scripts.Result r = cluster.submit(List.of("--class", JOB, jar, "--input", documents.toString(),
                "--rows", "several"));
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(1, r.stderrLines().size(), r.toString());
        assertTrue(r.stderr().contains("--rows"), r.toString());
    }
}
