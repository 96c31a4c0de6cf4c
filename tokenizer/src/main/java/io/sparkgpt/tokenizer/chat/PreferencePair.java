package io.sparkgpt.tokenizer.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * A preference record: one prompt (a conversation ending before the answer) and two continuations, the one a
 * person preferred ({@code chosen}) and the other ({@code rejected}); each continuation is one or more assistant
 * turns (usually one). {@code origin} is {@code file:line}.
 */
public record PreferencePair(String origin, List<ChatMessage> prompt, List<ChatMessage> chosen,
                             List<ChatMessage> rejected) {
    public PreferencePair {
        prompt = List.copyOf(prompt);
        chosen = List.copyOf(chosen);
        rejected = List.copyOf(rejected);
    }

    /** The prompt followed by the chosen continuation, only the continuation being the target. */
    public ChatExample chosenExample() {
        return join(chosen);
    }

    /** The prompt followed by the rejected continuation, only the continuation being the target. */
    public ChatExample rejectedExample() {
        return join(rejected);
    }

    private ChatExample join(List<ChatMessage> continuation) {
        List<ChatMessage> all = new ArrayList<>(prompt);
        all.addAll(continuation);
        return new ChatExample(origin, all, prompt.size());
    }
}
