package io.sparkgpt.model;

import java.nio.FloatBuffer;

/**
 * What a {@link LogitsLoss} sees of one micro-batch: views of the model's activation buffers, valid only during
 * {@link LogitsLoss#apply}. Index the buffers absolutely ({@code get(i)}, {@code put(i, v)}).
 */
public interface MicroBatch {
    /** Rows (sequences) in this micro-batch. */
    int rows();

    /** Positions per row. */
    int T();

    /** Vocabulary size. */
    int V();

    /** Width of the hidden state (nEmbd). */
    int C();

    /** {@code [rows*T*V]}: the logits; overwrite them with dLoss/dlogits (ignored by {@link GPT#forwardInference}). */
    FloatBuffer logits();

    /** {@code [rows*T*C]}: the output of the final LayerNorm (what the LM head reads). Read only. */
    FloatBuffer hidden();

    /** {@code [rows*T*C]}: zero before {@code apply}; add dLoss/dhidden for heads that read the trunk. */
    FloatBuffer hiddenGrad();
}
