package io.sparkgpt.model;

/**
 * Causal self-attention of one head, forward and backward, without dropout: the six products of a head and its
 * softmax in one place, so that an implementation can skip the keys past each query (half the work at any T) and
 * keep the head's operands in cache. {@link VectorAttention} is the one implementation (Java Vector API); without
 * it {@link GPT} makes one {@code cblas_sgemm} call per product.
 *
 * <p>Layouts are {@link GPT}'s: the head's query, key and value columns start at {@code q}, {@code q + C} and
 * {@code q + 2C} of rows of stride 3C in {@code qkv}; its output columns start at {@code yo} of rows of stride C;
 * the probabilities are the T x T row-major matrix at {@code ao} of {@code att}, 0 above the diagonal.
 */
interface HeadAttention {
    /** att = softmax(scale Q K^T) over keys 0..t of each query t; y = att V. */
    void forward(Buf qkv, int q, Buf att, int ao, Buf y, int yo, int T, float scale);

    /**
     * From dL/dy (rows of stride C at {@code yo} of {@code dy}) to dL/dQ, dL/dK, dL/dV in {@code dqkv} (overwritten).
     */
    void backward(Buf qkv, int q, Buf att, int ao, Buf dy, int yo, Buf dqkv, int T, float scale);
}
