package io.sparkgpt.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.serving.bench.LoadGen;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/serve/serve.sh --replicas 2}: two server processes behind a real HAProxy on 127.0.0.1. One replica
 * is killed (SIGKILL) under load: no non-streaming request fails (HAProxy retries it on the other replica), a stream
 * it was serving ends with an error instead of hanging, and the supervisor starts the replica again.
 */
class ServeReplicasIT {

    @Test
    void killingAReplicaUnderLoadLosesNoRequest(@TempDir Path dir) throws Exception {
        // no end-of-text token (sequences end at max_tokens) and wide enough that a long stream lasts seconds
        Path run = TinyModel.write(dir.resolve("run"), 2048, 256, List.of());
        int port = freeBasePort(3);
        Path work = dir.resolve("serve");
        Path root = Path.of(System.getProperty("sparkgpt.project.root", Path.of("..").toAbsolutePath().toString()));
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("deploy/serve/serve.sh").toString(), "--model",
                run.toString(), "--replicas", "2", "--port", String.valueOf(port), "--workdir", work.toString(), "--",
                "--max-batch", "8", "--drain-seconds", "2").redirectErrorStream(true)
                .redirectOutput(dir.resolve("serve.log").toFile());
        pb.environment().put("SPARKGPT_SERVE_JAVA_OPTS", "-Xmx384m");
        Process serve = pb.start();
        try {
            Http lb = new Http(port);
            Http replica1 = new Http(port + 1);
            waitFor(() -> isUp(lb), 240, "haproxy in front of 2 replicas (" + log(dir) + ")");

            // streams first; wait until replica 1 is serving one of them
            List<CompletableFuture<Http.Events>> streams = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                streams.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return lb.stream("/v1/completions", "{\"prompt\": \"the cat\", \"max_tokens\": 2000, "
                                + "\"stream\": true}");
                    } catch (RuntimeException e) {
                        return new Http.Events(-1, List.of("cut: " + e));
                    }
                }));
            }
            waitFor(() -> replica1.get("/health").json().get("active").asInt() >= 1, 60,
                    "a stream on replica 1");

            // non-streaming load; the replica is killed after 10 of its 60 requests
            LoadGen.Result r = LoadGen.run(new LoadGen.Config("http://127.0.0.1:" + port, 6, 60, 90, 8, false,
                    work.resolve("replica-1.pid"), 10, null));
            assertTrue(r.killed(), r.toMap().toString());
            assertEquals(0, r.failed(), "requests lost when a replica was killed: " + r.toMap());
            assertEquals(60, r.ok(), r.toMap().toString());

            // every stream ended (none hangs); the one on the killed replica ended with an error
            int cut = 0;
            for (CompletableFuture<Http.Events> f : streams) {
                Http.Events ev = f.get(120, TimeUnit.SECONDS);
                List<String> d = ev.data();
                boolean done = !d.isEmpty() && d.get(d.size() - 1).equals("[DONE]");
                if (!done) {
                    cut++;
                    String last = d.isEmpty() ? "" : d.get(d.size() - 1);
                    assertTrue(last.startsWith("cut: ") || last.contains("\"error\""), last);
                }
            }
            assertTrue(cut >= 1, "no stream was cut although replica 1 served one when it was killed");

            // the supervisor starts replica 1 again and HAProxy takes it back
            waitFor(() -> isUp(replica1), 240, "replica 1 restarted (" + log(dir) + ")");
            assertTrue(Files.readString(dir.resolve("serve.log")).contains("replica 1"), log(dir));
            assertEquals(200, lb.post("/v1/completions", "{\"prompt\": \"the\", \"max_tokens\": 2}").status());
        } finally {
            serve.destroy(); // SIGTERM: serve.sh drains and stops the replicas and haproxy
            if (!serve.waitFor(60, TimeUnit.SECONDS)) {
                serve.destroyForcibly();
            }
        }
        assertEquals(0, serve.exitValue(), log(dir));
        for (int p = port; p <= port + 2; p++) {
            assertFalse(open(p), "port " + p + " still open after serve.sh stopped");
        }
        assertNotEquals(0, Files.size(work.resolve("haproxy.cfg")));
    }

    private static boolean isUp(Http h) {
        try {
            return h.get("/health").status() == 200;
        } catch (RuntimeException e) {
            return false;
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void waitFor(Check c, int seconds, String what) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (true) {
            try {
                if (c.ok()) {
                    return;
                }
            } catch (RuntimeException e) {
                // not up yet
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + seconds + " s waiting for " + what);
            }
            Thread.sleep(200);
        }
    }

    private static int freeBasePort(int n) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base;
            try (ServerSocket s = new ServerSocket(0)) {
                base = s.getLocalPort();
            }
            if (base + n >= 65535) {
                continue;
            }
            boolean free = true;
            for (int p = base; p < base + n; p++) {
                free &= !open(p);
            }
            if (free) {
                return base;
            }
        }
        throw new IOException("no " + n + " consecutive free ports");
    }

    private static boolean open(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String log(Path dir) {
        try {
            return Files.readString(dir.resolve("serve.log"));
        } catch (IOException e) {
            return "(no serve.log)";
        }
    }
}
