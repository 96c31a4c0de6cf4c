package io.sparkgpt.tokenizer.chat;

import java.util.List;

/**
 * A fine-tuning example: a conversation whose assistant turns from message {@code firstTarget} on are what the
 * model learns to say (all assistant turns of a {@code messages} record: {@code firstTarget} 0; only the completion
 * of a {@code prompt}/{@code completion} record: {@code firstTarget} = the prompt's length). {@code origin} names
 * where it came from ({@code file:line}) so that later failures (too long for the context) can name it too.
 */
public record ChatExample(String origin, List<ChatMessage> messages, int firstTarget) {
    public ChatExample {
        messages = List.copyOf(messages);
        if (firstTarget < 0 || firstTarget > messages.size()) {
            throw new IllegalArgumentException("firstTarget " + firstTarget + " outside 0.." + messages.size());
        }
    }

    /** A conversation in which every assistant turn is a target. */
    public static ChatExample of(String origin, List<ChatMessage> messages) {
        return new ChatExample(origin, messages, 0);
    }

    /** The messages before the targets (the prompt) when the example is a prompt/completion pair. */
    public List<ChatMessage> prompt() {
        return messages.subList(0, firstTarget);
    }

    /** The same example with other messages (augmentation), keeping origin and the target boundary. */
    public ChatExample withMessages(List<ChatMessage> newMessages) {
        return new ChatExample(origin, newMessages, firstTarget);
    }
}
