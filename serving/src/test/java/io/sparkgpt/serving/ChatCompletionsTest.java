package io.sparkgpt.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.chat.ChatMessage;
import io.sparkgpt.tokenizer.chat.ChatTemplate;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code /v1/chat/completions} over real HTTP with a tiny model whose tokenizer has the chat tokens. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChatCompletionsTest {
    private OpenAiServer server;
    private ServedModel model;
    private Http http;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Path run = TinyModel.write(dir.resolve("run-chat"), 128, 32, List.of(BpeTokenizer.END_OF_TEXT), true);
        model = ServedModel.load(run, null, null, null);
        server = new OpenAiServer(model, new OpenAiServer.Config("127.0.0.1", 0, 8, 16, 16, 1 << 16, 1000,
                ApiKeys.none())).start();
        http = new Http(server.port());
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
    }

    private static final String MESSAGES = "\"messages\": [{\"role\": \"system\", \"content\": \"be brief\"}, "
            + "{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"the cat\"}]}]";

    @Test
    void chatCompletionUsesTheChatTemplate() {
        JsonNode r = OpenAiServerTest.ok(http.post("/v1/chat/completions", "{" + MESSAGES
                + ", \"max_tokens\": 10, \"seed\": 1}"));
        assertEquals("chat.completion", r.get("object").asText());
        assertTrue(r.get("id").asText().startsWith("chatcmpl-"));
        JsonNode m = r.get("choices").get(0).get("message");
        assertEquals("assistant", m.get("role").asText());
        assertTrue(m.get("content").isTextual());
        int[] prompt = new ChatTemplate(model.tokenizer()).renderPrompt(List.of(ChatMessage.system("be brief"),
                ChatMessage.user("the cat")));
        assertEquals(prompt.length, r.get("usage").get("prompt_tokens").asInt());
        JsonNode models = http.get("/v1/models").json().get("data").get(0);
        assertTrue(models.get("chat").asBoolean());
    }

    @Test
    void streamedChatAddsUpToTheSameReply() {
        String body = "{" + MESSAGES + ", \"max_tokens\": 12, \"seed\": 4, \"temperature\": 1.2";
        String whole = OpenAiServerTest.ok(http.post("/v1/chat/completions", body + "}")).get("choices").get(0)
                .get("message").get("content").asText();
        Http.Events ev = http.stream("/v1/chat/completions", body + ", \"stream\": true}");
        assertEquals(200, ev.status());
        JsonNode first = Http.parse(ev.data().get(0));
        assertEquals("chat.completion.chunk", first.get("object").asText());
        assertEquals("assistant", first.get("choices").get(0).get("delta").get("role").asText());
        JsonNode last = Http.parse(ev.data().get(ev.data().size() - 2));
        assertTrue(last.get("choices").get(0).get("finish_reason").isTextual(), last.toString());
        assertEquals(whole, OpenAiServerTest.streamedText(ev, true));
    }

    @Test
    void badMessagesAreNamed() {
        Http.Reply r = http.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"wizard\", \"content\": \"x\"}]}");
        OpenAiServerTest.assertError(r, 400, "invalid_value");
        assertEquals("messages[0].role", r.json().get("error").get("param").asText());
        r = http.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": 5}]}");
        assertEquals("messages[0].content", r.json().get("error").get("param").asText());
        OpenAiServerTest.assertError(http.post("/v1/chat/completions", "{\"messages\": []}"), 400, "invalid_value");
    }
}
