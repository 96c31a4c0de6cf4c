package io.sparkgpt.serving;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.chat.ChatMessage;
import io.sparkgpt.tokenizer.chat.ChatTemplate;
import io.sparkgpt.tokenizer.chat.ChatTokens;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns {@code /v1/chat/completions}' {@code messages} into prompt ids with the model's chat template (the one
 * training used: {@link ChatTemplate#renderPrompt}, ending with the assistant header), and names the ids that end
 * the reply: the end-of-turn token, and any other chat or end-of-text token (the model starting another turn).
 *
 * <p>A tokenizer without chat tokens (a base model from pretraining) has no template: chat requests are then a 400
 * {@code chat_not_supported} that says to use {@code /v1/completions}. We chose the clear refusal over a plain-text
 * rendering, which would make a base model improvise a format it never saw and look broken.
 */
final class ChatFormat {
    private final ChatTemplate template;
    private final int[] stopIds;

    private ChatFormat(ChatTemplate template, int[] stopIds) {
        this.template = template;
        this.stopIds = stopIds;
    }

    static ChatFormat of(BpeTokenizer tokenizer) {
        if (!ChatTokens.present(tokenizer)) {
            return new ChatFormat(null, new int[0]);
        }
        ChatTemplate t = new ChatTemplate(tokenizer);
        List<Integer> stops = new ArrayList<>(List.of(t.stopToken()));
        for (String s : ChatTokens.ALL) {
            stops.add(tokenizer.specialTokens().get(s));
        }
        if (tokenizer.eotId() >= 0) {
            stops.add(tokenizer.eotId());
        }
        return new ChatFormat(t, stops.stream().distinct().mapToInt(Integer::intValue).toArray());
    }

    boolean supported() {
        return template != null;
    }

    int[] prompt(JsonNode body) {
        JsonNode messages = body.get("messages");
        if (messages == null || messages.isNull()) {
            throw new ApiError(400, "invalid_request_error", "missing_required_parameter", "messages",
                    "you must provide a 'messages' parameter");
        }
        if (!messages.isArray() || messages.isEmpty()) {
            throw ApiError.badParam("messages", "'messages' must be a non-empty list of {role, content} objects");
        }
        if (template == null) {
            throw new ApiError(400, "invalid_request_error", "chat_not_supported", "messages", "This model's "
                    + "tokenizer has no chat tokens " + ChatTokens.ALL + ", so it has no chat template (a base "
                    + "model): use /v1/completions with a plain prompt.");
        }
        List<ChatMessage> list = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String at = "messages[" + i + "]";
            if (!m.isObject()) {
                throw ApiError.badParam(at, at + " must be an object with 'role' and 'content'");
            }
            String role = m.path("role").asText("");
            if (role.equals("developer")) {
                role = ChatMessage.SYSTEM; // OpenAI's newer name for the system role
            }
            if (!ChatTemplate.ROLES.contains(role)) {
                throw ApiError.badParam(at + ".role", at + ".role must be one of " + ChatTemplate.ROLES + ", got "
                        + m.get("role"));
            }
            list.add(new ChatMessage(role, content(m.get("content"), at + ".content")));
        }
        return template.renderPrompt(list);
    }

    /** A string, or OpenAI's list of content parts of which only {@code text} parts are understood. */
    private static String content(JsonNode c, String at) {
        if (c != null && c.isTextual()) {
            return c.asText();
        }
        if (c != null && c.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : c) {
                if (!part.path("type").asText().equals("text") || !part.path("text").isTextual()) {
                    throw ApiError.badParam(at, at + ": only text parts ({\"type\": \"text\", \"text\": ...}) are "
                            + "supported, got " + part);
                }
                sb.append(part.get("text").asText());
            }
            return sb.toString();
        }
        throw ApiError.badParam(at, at + " must be a string or a list of text parts");
    }

    int[] stopIds() {
        return stopIds.clone();
    }
}
