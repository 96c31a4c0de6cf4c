package io.sparkgpt.serving;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.tokenizer.BpeTokenizer;

/**
 * Turns {@code /v1/chat/completions}' {@code messages} into prompt ids with the model's chat template, and names
 * the id that ends the assistant's turn. A tokenizer without chat tokens has no template: chat requests are then a
 * 400 that says so (a base model continues text; {@code /v1/completions} is the endpoint for it).
 */
final class ChatFormat {
    private final BpeTokenizer tokenizer;

    private ChatFormat(BpeTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    static ChatFormat of(BpeTokenizer tokenizer) {
        return new ChatFormat(tokenizer);
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
        throw new ApiError(400, "invalid_request_error", "chat_not_supported", "messages", "This model's tokenizer "
                + "has no chat tokens, so it has no chat template: use /v1/completions with a plain prompt.");
    }

    int stopId() {
        return tokenizer.eotId();
    }
}
