package io.sparkgpt.model.infer;

/**
 * One sequence being decoded by an {@link InferenceModel}: its KV cache (per layer, keys and values of every position
 * fed so far) and its position. Sessions are independent: several at different positions go through one
 * {@link InferenceModel#step} together. Heap memory that grows with the sequence (doubling, up to blockSize
 * positions); dropped with the session, or reused after {@link #reset()}. Belongs to the model that made it.
 */
public final class Session {
    final InferenceModel model;
    /** Per layer: keys transposed, {@code [A][cap]} (feature-major, so a query's scores are axpy loops). */
    final float[][] kT;
    /** Per layer: values, {@code [cap][A]}. */
    final float[][] v;
    int cap;
    int pos;

    Session(InferenceModel model) {
        this.model = model;
        int L = model.shape().nLayer();
        kT = new float[L][];
        v = new float[L][];
        cap = 0;
        grow(Math.min(64, model.shape().blockSize()));
    }

    /** Positions fed so far (prompt + generated tokens). */
    public int length() {
        return pos;
    }

    /** Positions this session can still take before the model's blockSize. */
    public int remaining() {
        return model.shape().blockSize() - pos;
    }

    public boolean full() {
        return remaining() <= 0;
    }

    /** Forgets every position (the cache memory is kept for the next sequence). */
    public void reset() {
        pos = 0;
    }

    /** Makes room for {@code n} positions (n <= blockSize). */
    void ensure(int n) {
        if (n > cap) {
            grow(Math.min(model.shape().blockSize(), Math.max(n, 2 * cap)));
        }
    }

    private void grow(int newCap) {
        ModelShape s = model.shape();
        for (int l = 0; l < kT.length; l++) {
            int A = s.attnWidth(l);
            float[] k2 = new float[A * newCap], v2 = new float[A * newCap];
            if (cap > 0) {
                for (int c = 0; c < A; c++) {
                    System.arraycopy(kT[l], c * cap, k2, c * newCap, pos);
                }
                System.arraycopy(v[l], 0, v2, 0, pos * A);
            }
            kT[l] = k2;
            v[l] = v2;
        }
        cap = newCap;
    }
}
