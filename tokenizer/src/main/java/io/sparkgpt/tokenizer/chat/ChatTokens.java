package io.sparkgpt.tokenizer.chat;

import io.sparkgpt.tokenizer.BpeTokenizer;
import java.util.List;

/**
 * The special tokens of the chat format: one header per role and one token that ends every turn. They are added
 * to a trained tokenizer after its vocabulary ({@link BpeTokenizer#withAddedSpecialTokens}), so every old id keeps
 * its meaning; the model then grows its embedding and output rows for them (the model module's
 * {@code GPT.withVocabSize}). Saved with {@code TokenizerFiles.save} they reload as special tokens.
 */
public final class ChatTokens {
    public static final String SYSTEM = "<|system|>";
    public static final String USER = "<|user|>";
    public static final String ASSISTANT = "<|assistant|>";
    /** Ends every turn; the stop token of generation. */
    public static final String END = "<|end|>";
    /** In the order their ids are given. */
    public static final List<String> ALL = List.of(SYSTEM, USER, ASSISTANT, END);

    private ChatTokens() {
    }

    /** {@code base} with the chat tokens (ids {@code base.vocabSize()} ...); unchanged if it has them already. */
    public static BpeTokenizer addTo(BpeTokenizer base) {
        return base.withAddedSpecialTokens(ALL);
    }

    /** True when {@code t} has every chat token. */
    public static boolean present(BpeTokenizer t) {
        return t.specialTokens().keySet().containsAll(ALL);
    }
}
