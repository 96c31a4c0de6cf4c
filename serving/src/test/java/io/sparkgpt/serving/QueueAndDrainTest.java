package io.sparkgpt.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server with one batch slot and one queue slot: a third request is refused with 429 at once; stopping the
 * server ends a running stream with an error event and answers the queued request 503, and /health turns 503
 * while it drains.
 */
class QueueAndDrainTest {

    @Test
    void fullQueueIsRefusedAndStopEndsStreamsWithAnErrorEvent(@TempDir Path dir) throws Exception {
        // no end-of-text token: a sequence only ends at max_tokens, so the first request outlasts the checks
        Path run = TinyModel.write(dir.resolve("run"), 4096, 64, List.of());
        OpenAiServer server = new OpenAiServer(ServedModel.load(run, null, null, null), new OpenAiServer.Config(
                "127.0.0.1", 0, 1, 1, 16, 1 << 20, 1500, ApiKeys.none())).start();
        Http http = new Http(server.port());
        String base = "http://127.0.0.1:" + server.port();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        CompletableFuture<Void> stopping = null;
        try {
            HttpResponse<Stream<String>> a = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"the cat\", \"max_tokens\": 4000, "
                            + "\"stream\": true}")).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofLines());
            assertEquals(200, a.statusCode());
            Iterator<String> lines = a.body().iterator();
            assertTrue(nextData(lines).contains("\"text_completion\""));

            CompletableFuture<HttpResponse<String>> b = client.sendAsync(HttpRequest.newBuilder(
                    URI.create(base + "/v1/completions")).POST(HttpRequest.BodyPublishers.ofString(
                    "{\"prompt\": \"the dog\", \"max_tokens\": 5}")).build(), HttpResponse.BodyHandlers.ofString());
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (http.get("/health").json().get("queue").asInt() < 1) {
                assertTrue(System.nanoTime() < deadline, "the second request never reached the queue");
                Thread.sleep(20);
            }
            Http.Reply c = http.post("/v1/completions", "{\"prompt\": \"a bird\", \"max_tokens\": 5}");
            OpenAiServerTest.assertError(c, 429, "queue_full");
            assertEquals("1", c.headers().firstValue("retry-after").orElse(""));
            assertTrue(http.get("/metrics").body().contains("sparkgpt_queue_rejected_total 1"));

            stopping = CompletableFuture.runAsync(() -> {
                try {
                    server.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            deadline = System.nanoTime() + 10_000_000_000L;
            Http.Reply h;
            while ((h = http.get("/health")).status() == 200) {
                assertTrue(System.nanoTime() < deadline, "health never turned 503 while draining");
                Thread.sleep(10);
            }
            assertEquals(503, h.status());
            assertEquals("draining", h.json().get("status").asText());
            OpenAiServerTest.assertError(http.post("/v1/completions", "{\"prompt\": \"x\"}"), 503,
                    "server_shutting_down");

            // the running stream ends with an error event (no [DONE]); the queued request gets a 503
            String last = null;
            for (String d; (d = nextData(lines)) != null; ) {
                last = d;
            }
            JsonNode err = Http.parse(last).get("error");
            assertEquals("server_shutting_down", err.get("code").asText(), last);
            HttpResponse<String> rb = b.get();
            assertEquals(503, rb.statusCode(), rb.body());
            stopping.get();
        } finally {
            if (stopping == null) {
                server.close();
            }
        }
    }

    /** The next {@code data:} payload, or null at the end of the stream. */
    private static String nextData(Iterator<String> lines) {
        while (lines.hasNext()) {
            String l = lines.next();
            if (l.startsWith("data: ")) {
                return l.substring(6);
            }
        }
        return null;
    }
}
