package io.sparkgpt.pipeline.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.spark.testing.LocalCluster;
import io.sparkgpt.spark.testing.Scripts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole deployment path on a real standalone cluster: local-cluster.sh starts a Master and 2 Workers (1 core,
 * 1g each), submit.sh sends the shaded job jar in client and in cluster deploy mode, and the cluster is stopped
 * with no process left. Readable failures go through the same scripts.
 */
class InspectClusterIT {
    static final String JOB = "io.sparkgpt.pipeline.inspect.InspectJob";

    @TempDir
    static Path tmp;
    static String jar;
    static Path documents;
    static LocalCluster cluster;

    @BeforeAll
    static void setUp() throws IOException {
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
        cluster = LocalCluster.start(tmp.resolve("cluster"), 2, 1, "1g");
    }

    @AfterAll
    static void tearDown() {
        if (cluster == null) {
            return;
        }
        String url = cluster.masterUrl();
        cluster.close(); // local-cluster.sh stop; throws if any process of the cluster is left
        assertTrue(cluster.processes().isEmpty());

        // a cluster that is not up: one line from submit.sh, exit 2, nothing submitted
        Scripts.Result r = Scripts.submit(List.of("--master", url, "--class", JOB, jar, "--input",
                documents.toString()), Duration.ofMinutes(2));
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(1, r.stderrLines().size(), r.toString());
        assertTrue(r.stderr().contains("no Spark master answers at " + url), r.toString());
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
