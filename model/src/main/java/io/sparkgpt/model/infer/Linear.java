package io.sparkgpt.model.infer;

/**
 * A linear layer {@code y = x W^T + b} with W stored {@code [out][in]} (PyTorch's layout), in some precision. The
 * engine hands it all rows of a step at once (one row per active sequence, or every position of a prompt), so each
 * layer is one matrix product per step. Not thread-safe (scratch buffers): an {@link InferenceModel} runs one step
 * at a time.
 */
public interface Linear extends AutoCloseable {

    int in();

    int out();

    /** {@code y[r*out + j] = sum_i x[r*in + i] * W[j][i] + b[j]} for {@code r < rows}. */
    void forward(float[] x, int rows, float[] y);

    /** Row j of W as floats into {@code dst[off..off+in)}: an embedding lookup when W is a token table. */
    void row(int j, float[] dst, int off);

    /** Bytes the weights take in memory (values, scales and bias). */
    long bytes();

    Precision precision();

    /** Frees off-heap memory (idempotent). */
    @Override
    void close();

    /** A layer of W ({@code out x in}, row-major) and bias b (null = none) in {@code p}. */
    static Linear of(float[] w, float[] b, int out, int in, Precision p) {
        return switch (p) {
            case FLOAT32 -> new FloatLinear(w, b, out, in);
            case INT8 -> Int8Linear.quantize(w, b, out, in);
        };
    }
}
