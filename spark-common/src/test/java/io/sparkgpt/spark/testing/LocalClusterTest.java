package io.sparkgpt.spark.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster scripts without a job: start a real Master + 1 Worker, see it in status and in the master's JSON,
 * stop it, and find no process left; a submit to a master that is not up. (Jobs on the cluster are tested where the
 * job jars are built: data-pipeline's InspectClusterIT and the other *ClusterIT, on one shared cluster.)
 */
class LocalClusterTest {
    @TempDir
    Path tmp;

    @Test
    void startsReportsAndStopsWithNothingLeft() {
        LocalCluster cluster = LocalCluster.start(tmp.resolve("cluster"), 1, 1, "512m");
        try {
            assertTrue(cluster.masterUrl().matches("spark://127\\.0\\.0\\.1:\\d+"), cluster.masterUrl());
            assertFalse(cluster.processes().isEmpty());
            String json = cluster.masterJson().replaceAll("\\s", "");
            assertTrue(json.contains("\"aliveworkers\":1"), json);
            Scripts.Result status = cluster.status();
            assertEquals(0, status.exitCode(), status.toString());
            assertTrue(status.stdout().contains("worker-1: running"), status.toString());
        } finally {
            cluster.close();
        }
        assertTrue(cluster.processes().isEmpty());
        Scripts.Result after = cluster.status();
        assertEquals(3, after.exitCode(), after.toString());
    }

    @Test
    void portInUseIsOneLineExit2() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Scripts.Result r = Scripts.run(Scripts.script("local-cluster.sh"), List.of("start", "--workers", "1"),
                    Map.of("SPARKGPT_CLUSTER_DIR", tmp.resolve("c2").toString(),
                            "SPARK_MASTER_PORT", Integer.toString(taken.getLocalPort()),
                            "SPARK_MASTER_WEBUI_PORT", Integer.toString(S3ProxyServer.freePort())),
                    Duration.ofMinutes(2));
            assertEquals(2, r.exitCode(), r.toString());
            assertEquals(1, r.stderrLines().size(), r.toString());
            assertTrue(r.stderr().contains("port " + taken.getLocalPort()), r.toString());
            assertTrue(LocalCluster.processesOf(tmp.resolve("c2").toAbsolutePath()).isEmpty());
        }
    }

    @Test
    void javaOtherThan17IsOneLineExit2() throws Exception {
        Path fakeJdk = tmp.resolve("jdk11");
        Files.createDirectories(fakeJdk.resolve("bin"));
        Path fakeJava = fakeJdk.resolve("bin/java");
        Files.writeString(fakeJava,
                "#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\n");
        assertTrue(fakeJava.toFile().setExecutable(true));
        Scripts.Result r = Scripts.run(Scripts.script("local-cluster.sh"), List.of("start"),
                Map.of("JAVA_HOME", fakeJdk.toString(), "SPARKGPT_CLUSTER_DIR", tmp.resolve("c3").toString()),
                Duration.ofMinutes(1));
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(1, r.stderrLines().size(), r.toString());
        assertTrue(r.stderr().contains("Java 17") && r.stderr().contains("11.0.2"), r.toString());
    }

    @Test
    void submitToAMasterThatIsNotUpIsOneLineExit2() throws Exception {
        int nobody = S3ProxyServer.freePort();
        Scripts.Result r = Scripts.submit(List.of("--master", "spark://127.0.0.1:" + nobody,
                "--class", "Nothing", Scripts.script("submit.sh").toString()), Duration.ofMinutes(1));
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(1, r.stderrLines().size(), r.toString());
        assertTrue(r.stderr().contains("no Spark master answers at spark://127.0.0.1:" + nobody), r.toString());
    }
}
