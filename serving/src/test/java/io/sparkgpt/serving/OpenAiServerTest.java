package io.sparkgpt.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.Sampler;
import io.sparkgpt.tokenizer.BpeTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The server over real HTTP on 127.0.0.1 with a tiny model: every endpoint, error shape, streaming and keys. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiServerTest {
    private OpenAiServer server;
    private OpenAiServer keyed;
    private ServedModel model;
    private Checkpoint ckpt;
    private Http http;
    private Http httpKeyed;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Path run = TinyModel.write(dir.resolve("run-tiny"), 64, 32, List.of(BpeTokenizer.END_OF_TEXT));
        model = ServedModel.load(run, null, null, null);
        ckpt = Checkpoint.fromBytes(Files.readAllBytes(run.resolve("model/model.ckpt")), "tiny");
        server = new OpenAiServer(model, new OpenAiServer.Config("127.0.0.1", 0, 8, 16, 16, 4096, 1000,
                ApiKeys.none())).start();
        Path keys = dir.resolve("keys.txt");
        Files.writeString(keys, "# keys\nsk-test-one\n\nsk-test-two\n");
        keyed = new OpenAiServer(ServedModel.load(run, null, "tiny", null), new OpenAiServer.Config("127.0.0.1", 0, 4, 4,
                8, 4096, 1000, ApiKeys.load(keys))).start();
        http = new Http(server.port());
        httpKeyed = new Http(keyed.port());
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        keyed.close();
    }

    @Test
    void healthModelsAndMetrics() {
        Http.Reply h = http.get("/health");
        assertEquals(200, h.status());
        assertEquals("ok", h.json().get("status").asText());
        JsonNode list = http.get("/v1/models").json();
        assertEquals("list", list.get("object").asText());
        assertEquals("sparkgpt-run-tiny", list.get("data").get(0).get("id").asText());
        assertEquals(64, list.get("data").get(0).get("context_length").asInt());
        assertEquals(200, http.get("/v1/models/sparkgpt-run-tiny").status());
        assertError(http.get("/v1/models/gpt-4"), 404, "model_not_found");

        http.post("/v1/completions", "{\"prompt\": \"the cat\", \"max_tokens\": 3}");
        Http.Reply m = http.get("/metrics");
        assertEquals(200, m.status());
        assertTrue(m.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
        String text = m.body();
        assertTrue(text.contains("sparkgpt_requests_total{endpoint=\"/v1/completions\",status=\"200\"}"), text);
        assertTrue(text.contains("sparkgpt_request_duration_seconds_bucket{endpoint=\"/v1/completions\",le=\"+Inf\"}"),
                text);
        assertTrue(text.contains("# TYPE sparkgpt_tokens_per_second gauge"), text);
        assertTrue(text.contains("sparkgpt_queue_length 0"), text);
        assertTrue(metric(text, "sparkgpt_completion_tokens_total") >= 1, text);
    }

    @Test
    void completionHasOpenAisShapeAndUsage() {
        JsonNode r = ok(http.post("/v1/completions",
                "{\"model\": \"sparkgpt-run-tiny\", \"prompt\": \"the cat sat\", \"max_tokens\": 5, \"seed\": 3}"));
        assertEquals("text_completion", r.get("object").asText());
        assertTrue(r.get("id").asText().startsWith("cmpl-"));
        assertEquals("sparkgpt-run-tiny", r.get("model").asText());
        JsonNode c = r.get("choices").get(0);
        assertEquals(0, c.get("index").asInt());
        assertTrue(c.get("logprobs").isNull());
        JsonNode u = r.get("usage");
        assertEquals(model.tokenizer().encode("the cat sat").length, u.get("prompt_tokens").asInt());
        int completion = u.get("completion_tokens").asInt();
        assertTrue(completion >= 1 && completion <= 5, r.toString());
        assertEquals(completion == 5 ? "length" : "stop", c.get("finish_reason").asText());
        assertEquals(u.get("prompt_tokens").asInt() + completion, u.get("total_tokens").asInt());
    }

    @Test
    void greedyTextIsTheModelsOwnGreedyContinuation() {
        int[] prompt = model.tokenizer().encode("the dog");
        // the training engine's own sampler, full forward passes without a cache
        int[] expected;
        try (GPT gpt = GPT.create(ckpt.config(), 0)) {
            gpt.setParams(ckpt.params());
            expected = Sampler.generate(gpt, prompt, new Sampler.Options(12, 0, 0, 1, 0, model.tokenizer().eotId(),
                    false));
        }
        JsonNode r = ok(http.post("/v1/completions",
                "{\"prompt\": \"the dog\", \"max_tokens\": 12, \"temperature\": 0}"));
        String want = model.tokenizer().decode(expected.length > 0 && expected[expected.length - 1]
                == model.tokenizer().eotId() ? java.util.Arrays.copyOf(expected, expected.length - 1) : expected);
        assertEquals(want, r.get("choices").get(0).get("text").asText());
        assertEquals(expected.length, r.get("usage").get("completion_tokens").asInt());
        // the same prompt as token ids
        StringBuilder ids = new StringBuilder();
        for (int t : prompt) {
            ids.append(ids.length() == 0 ? "" : ",").append(t);
        }
        JsonNode r2 = ok(http.post("/v1/completions", "{\"prompt\": [" + ids
                + "], \"max_tokens\": 12, \"temperature\": 0}"));
        assertEquals(want, r2.get("choices").get(0).get("text").asText());
    }

    @Test
    void seedGivesTheSameTextAndNGivesNChoices() {
        String body = "{\"prompt\": \"a bird\", \"max_tokens\": 10, \"seed\": 42, \"n\": 3, \"temperature\": 1.5}";
        JsonNode a = ok(http.post("/v1/completions", body));
        JsonNode b = ok(http.post("/v1/completions", body));
        assertEquals(3, a.get("choices").size());
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            assertEquals(i, a.get("choices").get(i).get("index").asInt());
            texts.add(a.get("choices").get(i).get("text").asText());
            assertEquals(texts.get(i), b.get("choices").get(i).get("text").asText());
        }
        assertNotEquals(texts.get(0), texts.get(1));
        JsonNode c = ok(http.post("/v1/completions", body.replace("42", "43")));
        assertNotEquals(texts.get(0), c.get("choices").get(0).get("text").asText());
        assertTrue(a.get("usage").get("completion_tokens").asInt() <= 30);
    }

    @Test
    void stopCutsTheTextBeforeTheStopString() {
        String base = "{\"prompt\": \"the\", \"max_tokens\": 40, \"seed\": 5, \"temperature\": 1.0";
        String full = ok(http.post("/v1/completions", base + "}")).get("choices").get(0).get("text").asText();
        assertTrue(full.length() >= 6, full);
        String stop = full.substring(full.length() / 2, full.length() / 2 + 2);
        int at = full.indexOf(stop);
        JsonNode r = ok(http.post("/v1/completions", base + ", \"stop\": [\"\\u0000never\", "
                + Http.JSON.valueToTree(stop) + "]}"));
        assertEquals(full.substring(0, at), r.get("choices").get(0).get("text").asText());
        assertEquals("stop", r.get("choices").get(0).get("finish_reason").asText());
        // the streamed pieces add up to the same text
        Http.Events ev = http.stream("/v1/completions", base + ", \"stream\": true, \"stop\": "
                + Http.JSON.valueToTree(stop) + "}");
        assertEquals(full.substring(0, at), streamedText(ev, false));
    }

    @Test
    void streamingSendsChunksThenDone() {
        String body = "{\"prompt\": \"the cat\", \"max_tokens\": 12, \"seed\": 9, \"n\": 2";
        JsonNode whole = ok(http.post("/v1/completions", body + "}"));
        Http.Events ev = http.stream("/v1/completions", body + ", \"stream\": true, \"stream_options\": "
                + "{\"include_usage\": true}}");
        assertEquals(200, ev.status());
        assertEquals("[DONE]", ev.data().get(ev.data().size() - 1));
        StringBuilder[] text = {new StringBuilder(), new StringBuilder()};
        int finished = 0;
        JsonNode usage = null;
        for (String d : ev.data().subList(0, ev.data().size() - 1)) {
            JsonNode chunk = Http.parse(d);
            assertEquals("text_completion", chunk.get("object").asText());
            assertEquals(whole.get("model").asText(), chunk.get("model").asText());
            if (chunk.hasNonNull("usage")) {
                usage = chunk.get("usage");
                continue;
            }
            JsonNode c = chunk.get("choices").get(0);
            text[c.get("index").asInt()].append(c.get("text").asText());
            finished += c.get("finish_reason").isNull() ? 0 : 1;
        }
        assertEquals(2, finished);
        for (int i = 0; i < 2; i++) {
            assertEquals(whole.get("choices").get(i).get("text").asText(), text[i].toString());
        }
        assertEquals(whole.get("usage"), usage);
    }

    @Test
    void errorsHaveOpenAisShapeAndStatus() {
        assertError(http.post("/v1/completions", "{\"prompt\": \"x\""), 400, "invalid_json");
        assertError(http.post("/v1/completions", "[1, 2]"), 400, "invalid_json");
        assertError(http.post("/v1/completions", "{\"max_tokens\": 3}"), 400, "missing_required_parameter");
        assertParam(http.post("/v1/completions", "{\"prompt\": \"x\", \"temperature\": 5}"), "temperature");
        assertParam(http.post("/v1/completions", "{\"prompt\": \"x\", \"temperature\": \"hot\"}"), "temperature");
        assertParam(http.post("/v1/completions", "{\"prompt\": \"x\", \"top_p\": 0}"), "top_p");
        assertParam(http.post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 0}"), "max_tokens");
        assertParam(http.post("/v1/completions", "{\"prompt\": \"x\", \"n\": 99}"), "n");
        assertParam(http.post("/v1/completions", "{\"prompt\": \"x\", \"seed\": 1.5}"), "seed");
        assertParam(http.post("/v1/completions", "{\"prompt\": \"x\", \"stream\": \"yes\"}"), "stream");
        assertParam(http.post("/v1/completions", "{\"prompt\": \"x\", \"stop\": [\"a\",\"b\",\"c\",\"d\",\"e\"]}"),
                "stop");
        assertParam(http.post("/v1/completions", "{\"prompt\": [1, 99999]}"), "prompt");
        assertParam(http.post("/v1/completions", "{\"prompt\": [\"a\", \"b\"]}"), "prompt");
        assertError(http.post("/v1/completions", "{\"prompt\": \"x\", \"model\": \"gpt-4\"}"), 404, "model_not_found");
        // longer than the context (64 tokens): the prompt alone, then prompt + max_tokens
        String longPrompt = "the cat sat on the mat. ".repeat(40);
        Http.Reply r = http.post("/v1/completions", "{\"prompt\": \"" + longPrompt + "\"}");
        assertError(r, 400, "context_length_exceeded");
        assertTrue(r.json().get("error").get("message").asText().contains("maximum context length is 64"));
        assertError(http.post("/v1/completions", "{\"prompt\": \"the cat\", \"max_tokens\": 64}"), 400,
                "context_length_exceeded");
        // a body over the server's 4096-byte limit
        assertError(http.post("/v1/completions", "{\"prompt\": \"" + "a".repeat(5000) + "\"}"), 413,
                "request_too_large");
        assertError(http.get("/v1/nothing"), 404, "unknown_url");
        assertError(http.get("/v1/completions"), 405, "method_not_supported");
        assertError(http.post("/v1/chat/completions", "{\"max_tokens\": 3}"), 400, "missing_required_parameter");
        // a base model (no chat tokens in its tokenizer) has no chat template
        assertError(http.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"),
                400, "chat_not_supported");
        // an empty prompt starts from the end-of-text token
        assertEquals(200, http.post("/v1/completions", "{\"prompt\": \"\", \"max_tokens\": 2}").status());
    }

    @Test
    void apiKeysAreRequiredWhereConfigured() {
        String body = "{\"prompt\": \"the\", \"max_tokens\": 2}";
        assertError(httpKeyed.post("/v1/completions", body), 401, "invalid_api_key");
        assertError(httpKeyed.post("/v1/completions", body, "Authorization", "Bearer sk-wrong"), 401,
                "invalid_api_key");
        assertError(httpKeyed.get("/v1/models"), 401, "invalid_api_key");
        assertEquals(200, httpKeyed.post("/v1/completions", body, "Authorization", "Bearer sk-test-two").status());
        assertEquals("tiny", httpKeyed.get("/v1/models", "Authorization", "Bearer sk-test-one").json().get("data")
                .get(0).get("id").asText());
        // the load balancer's probes and Prometheus need no key
        assertEquals(200, httpKeyed.get("/health").status());
        assertEquals(200, httpKeyed.get("/metrics").status());
    }

    @Test
    void concurrentRequestsShareDecodingSteps() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Http.Reply>> fs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String body = "{\"prompt\": \"the cat\", \"max_tokens\": 40, \"seed\": " + i + "}";
                fs.add(pool.submit(() -> http.post("/v1/completions", body)));
            }
            for (Future<Http.Reply> f : fs) {
                assertEquals(200, f.get().status());
            }
        } finally {
            pool.shutdownNow();
        }
        String m = http.get("/metrics").body();
        // more tokens than steps: some steps advanced several requests at once
        assertTrue(metric(m, "sparkgpt_completion_tokens_total") > metric(m, "sparkgpt_decode_steps_total"), m);
    }

    static void assertError(Http.Reply r, int status, String code) {
        assertEquals(status, r.status(), r.body());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/json"));
        JsonNode e = r.json().get("error");
        assertEquals(code, e.get("code").asText(), r.body());
        assertFalse(e.get("message").asText().isEmpty());
        assertTrue(e.has("type") && e.has("param"), r.body());
    }

    static void assertParam(Http.Reply r, String param) {
        assertError(r, 400, "invalid_value");
        assertEquals(param, r.json().get("error").get("param").asText(), r.body());
    }

    static JsonNode ok(Http.Reply r) {
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    static double metric(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1));
            }
        }
        throw new AssertionError(name + " not in " + text);
    }

    static String streamedText(Http.Events ev, boolean chat) {
        StringBuilder sb = new StringBuilder();
        assertEquals("[DONE]", ev.data().get(ev.data().size() - 1));
        for (String d : ev.data().subList(0, ev.data().size() - 1)) {
            JsonNode c = Http.parse(d).get("choices").get(0);
            sb.append(chat ? c.get("delta").path("content").asText("") : c.get("text").asText());
        }
        return sb.toString();
    }
}
