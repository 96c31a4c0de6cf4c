package io.sparkgpt.tokenizer.chat;

import java.util.Objects;

/**
 * One turn of a conversation: {@code role} is {@code system}, {@code user} or {@code assistant} (the roles
 * {@link ChatTemplate} knows; the readers reject others, naming the line), {@code content} its text.
 */
public record ChatMessage(String role, String content) {
    public static final String SYSTEM = "system";
    public static final String USER = "user";
    public static final String ASSISTANT = "assistant";

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static ChatMessage system(String content) {
        return new ChatMessage(SYSTEM, content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage(USER, content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage(ASSISTANT, content);
    }

    public boolean isAssistant() {
        return ASSISTANT.equals(role);
    }
}
