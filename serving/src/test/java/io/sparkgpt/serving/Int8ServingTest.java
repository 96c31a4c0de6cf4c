package io.sparkgpt.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.model.infer.Precision;
import io.sparkgpt.tokenizer.BpeTokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --quantize int8}: the same checkpoint served with Q8_0 weights answers, deterministically per seed. */
class Int8ServingTest {

    @Test
    void int8ModelServes(@TempDir Path dir) throws Exception {
        Path run = TinyModel.write(dir.resolve("run"), 64, 64, List.of(BpeTokenizer.END_OF_TEXT));
        ServedModel m = ServedModel.load(run, null, null, Precision.INT8);
        try (OpenAiServer server = new OpenAiServer(m, new OpenAiServer.Config("127.0.0.1", 0, 4, 4, 16, 1 << 16,
                1000, ApiKeys.none())).start()) {
            Http http = new Http(server.port());
            assertEquals("int8", http.get("/v1/models").json().get("data").get(0).get("precision").asText());
            String body = "{\"prompt\": \"the cat\", \"max_tokens\": 8, \"seed\": 11}";
            JsonNode a = OpenAiServerTest.ok(http.post("/v1/completions", body));
            JsonNode b = OpenAiServerTest.ok(http.post("/v1/completions", body));
            assertEquals(a.get("choices"), b.get("choices"));
        }
    }
}
