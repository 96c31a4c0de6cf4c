package io.sparkgpt.tokenizer;

import java.util.List;

/**
 * The contract between the data side and the model: text in, token ids out, and back. Implementations are
 * thread-safe: one instance may be shared by all threads of an executor or of the sampler.
 */
public interface Tokenizer {

    /** The ids of {@code text}. Special-token strings inside the text are encoded as ordinary text. */
    int[] encode(String text);

    /** The text of {@code ids}; byte sequences that are not valid UTF-8 become U+FFFD. */
    String decode(int[] ids);

    /** One past the largest id this tokenizer can produce (the model's embedding and output size). */
    int vocabSize();

    /** The id of the end-of-text token that ends every document, or -1 when the tokenizer has none. */
    int eotId();

    /** {@link #encode} of each text, in order. */
    default List<int[]> encodeBatch(List<String> texts) {
        return texts.stream().map(this::encode).toList();
    }
}
