package io.sparkgpt.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.spark.testing.Scripts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Airflow DAG of the retraining cycle ({@code deploy/airflow/dags/sparkgpt_retrain.py}) against the Airflow
 * stand-in and {@code retrain.sh --print-steps}: runs {@code deploy/airflow/tests} with python3 (needs python3, no
 * Airflow: see the stand-in's README).
 */
class RetrainDagTest {
    @Test
    void dagCompilesAndSubmitsWhatRetrainShRuns() throws IOException, InterruptedException {
        Path root = Scripts.projectRoot();
        Process p = new ProcessBuilder("python3", "-m", "unittest", "discover", "-v", "-s", "deploy/airflow/tests")
                .directory(root.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the DAG test did not end in 2 minutes");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("Ran 3 tests") && out.trim().endsWith("OK"), out);
    }
}
