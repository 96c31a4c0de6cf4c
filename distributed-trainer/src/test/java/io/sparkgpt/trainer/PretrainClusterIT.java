package io.sparkgpt.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.spark.testing.LocalCluster;
import io.sparkgpt.spark.testing.S3ProxyServer;
import io.sparkgpt.spark.testing.Scripts;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/spark-submit/pretrain.sh} with the shaded job jar on a real standalone cluster (Master + 2 Workers,
 * 1 core each): a tiny GPT trains and its validation loss falls; the driver is killed mid-run and {@code --resume}
 * trains on; a Worker (with its executor) is killed during that resumed run and the job still ends, with the same
 * parameters as the uninterrupted run (checkpoints and metrics on s3a:// of a real s3proxy).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PretrainClusterIT {
    static final int ROUNDS = 5;
    /** generous: on a shared 2-core machine an executor JVM alone took 90 s to start */
    static final Duration LIMIT = Duration.ofMinutes(15);
    @TempDir
    static Path tmp;
    static Path tokens;
    static LocalCluster cluster;
    static S3ProxyServer s3;
    static String reference;
    static Path jar;

    @BeforeAll
    static void setUp() throws Exception {
        tokens = tmp.resolve("tokens");
        TestTokens.writeLocally(tokens, 120_000, 1);
        // a private copy of the shaded job jar: a rebuild of the module while the test runs (another build in the
        // same tree) would otherwise swap the jar under a running driver ("invalid LOC header")
        Path built = Scripts.jobJar("distributed-trainer");
        jar = Files.copy(built, Files.createDirectories(tmp.resolve("jars")).resolve(built.getFileName()));
        s3 = S3ProxyServer.start(tmp.resolve("s3"));
        cluster = LocalCluster.start(tmp.resolve("cluster"), 2, 1, "1g");
    }

    @AfterAll
    static void tearDown() {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            if (s3 != null) {
                s3.close();
            }
        }
    }

    static List<String> command(String output, String... extra) {
        List<String> a = new ArrayList<>(List.of("bash", Scripts.script("pretrain.sh").toString(),
                "--master", cluster.masterUrl(), "--executor-memory", "768m"));
        a.addAll(s3.sparkSubmitConfArgs());
        a.addAll(List.of("--", "--data", tokens.toString(), "--output", output,
                "--n-layer", "1", "--n-head", "2", "--n-embd", "32", "--block-size", "32", "--batch-size", "4",
                "--local-steps", "4", "--workers", "2", "--max-rounds", String.valueOf(ROUNDS), "--warmup", "4",
                "--lr", "3e-3", "--eval-every", "1", "--eval-windows", "32", "--checkpoint-every", "1",
                "--outer-optimizer", "nesterov", "--seed", "11"));
        a.addAll(List.of(extra));
        return a;
    }

    static Process start(List<String> cmd, Path log) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(Scripts.projectRoot().toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("SPARKGPT_JARS", jar.getParent().toString());
        return pb.start();
    }

    static int runToEnd(List<String> cmd, Path log) throws Exception {
        Process p = start(cmd, log);
        if (!p.waitFor(LIMIT.toMinutes(), TimeUnit.MINUTES)) {
            kill(p.toHandle());
            throw new AssertionError("pretrain.sh did not end in " + LIMIT + ":\n" + Files.readString(log));
        }
        return p.exitValue();
    }

    static void kill(ProcessHandle h) {
        h.descendants().forEach(ProcessHandle::destroyForcibly);
        h.destroyForcibly();
        h.onExit().orTimeout(30, TimeUnit.SECONDS).join();
    }

    static void await(String what, Duration limit, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(250);
        }
    }

    static JsonNode json(Storage st, String path) throws Exception {
        return Json.mapper().readTree(st.readString(path));
    }

    @Test
    @Order(1)
    void trainsOnTheClusterAndValidationLossFalls() throws Exception {
        Path out = tmp.resolve("reference");
        Path log = tmp.resolve("reference.log");
        int rc = runToEnd(command(out.toString()), log);
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, rc, output);
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(ROUNDS, lines.size());
        double first = Json.mapper().readTree(lines.get(0)).get("val_loss").asDouble();
        double last = Json.mapper().readTree(lines.get(ROUNDS - 1)).get("val_loss").asDouble();
        assertTrue(last < first - 0.1, "validation loss did not fall: " + first + " -> " + last + "\n" + output);
        assertTrue(Files.size(out.resolve("loss.png")) > 1000);
        reference = json(Storage.local(), out.resolve("summary.json").toString()).get("paramsSha256").asText();
    }

    /**
     * The driver is killed mid-run and the run resumed from s3a; while the resumed run trains, a Worker (with its
     * executor) is killed too: the job still ends, with the parameters of the uninterrupted run. One run for both
     * failures (they were two runs of their own: one spark-submit and two rounds fewer, same assertions).
     */
    @Test
    @Order(2)
    void driverKilledResumesFromS3AndLosesAWorkerToTheSameParameters() throws Exception {
        String bucket = s3.createBucket("runs");
        String out = bucket + "/killed-driver";
        Storage st = new Storage(s3.hadoopConfiguration());
        Path log = tmp.resolve("killed-driver.log");
        Process p = start(command(out), log);
        try {
            await("the checkpoint of round 2 on s3a", LIMIT,
                    () -> !p.isAlive() || st.isComplete(out + "/checkpoints/round-000002"));
        } finally {
            kill(p.toHandle());
        }
        assertFalse(st.exists(out + "/summary.json"), "the run ended before the driver was killed: the test proves "
                + "nothing; " + Files.readString(log));
        assertTrue(st.isComplete(out + "/checkpoints/round-000002"), Files.readString(log));

        Path log2 = tmp.resolve("resumed.log");
        Process r = start(command(out, "--resume"), log2);
        try {
            // one round trained after the resume, then a lost machine
            await("a round of the resumed run", LIMIT, () -> !r.isAlive() || roundsPrinted(log2) >= 1);
            assertTrue(r.isAlive(), "the resumed run ended before a worker could be killed: " + Files.readString(log2));
            long pid = Long.parseLong(Files.readString(cluster.dir().resolve("pids/worker-2.pid")).trim());
            ProcessHandle worker = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no worker-2 " + pid));
            kill(worker); // the Worker and the executor it launched
            assertTrue(r.waitFor(LIMIT.toMinutes(), TimeUnit.MINUTES), "job did not end after losing a worker");
        } finally {
            if (r.isAlive()) {
                kill(r.toHandle());
            }
        }
        String output = Files.readString(log2);
        assertEquals(0, r.exitValue(), output);
        assertTrue(output.contains("resuming from"), output);
        JsonNode summary = json(st, out + "/summary.json");
        assertTrue(summary.get("resumedFromRound").asInt() >= 2, summary.toString());
        // resumed and re-run tasks are deterministic: neither failure changes a bit of the result
        assertEquals(reference, summary.get("paramsSha256").asText(), "resumed run's parameters differ\n" + output);
        assertEquals(ROUNDS, st.readString(out + "/metrics.jsonl").strip().split("\n").length);
        assertTrue(st.exists(out + "/loss.png"));
        assertTrue(st.isComplete(out + "/model"));
    }

    /** The "round k/N" lines the driver printed so far. */
    static long roundsPrinted(Path log) {
        try {
            Pattern round = Pattern.compile("round \\d+/" + ROUNDS + " step ");
            return Files.readAllLines(log).stream().filter(l -> round.matcher(l).find()).count();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }
}
