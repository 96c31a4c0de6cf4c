package io.sparkgpt.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link HeadAttention} on the JDK Vector API. At the nanoGPT CPU recipe (T = 64, head size 32) one head's products
 * are 64 x 64 x 32: one {@code cblas_sgemm} call each ran at a third of the sgemm peak (call and packing overhead)
 * and did the whole square, though the causal mask needs only the lower triangle. Here the head's Q, K, V (and dY)
 * are copied into heap arrays once, every product visits only the key chunks up to the diagonal, and the softmax
 * runs on the same arrays.
 *
 * <p>The products are register-blocked over 4 rows (or 4 columns) of the result: S-like ones (Q K^T, dY V^T) run
 * along lanes of keys of a transposed copy, the others (P V, dS K, P^T dY, dS^T Q) along lanes of the head's
 * columns. Sums run in another order than OpenBLAS's: results agree to float rounding. One instance per worker
 * thread (it owns its scratch); the head size must be a multiple of the lanes ({@link #fits}).
 */
final class VectorAttention implements HeadAttention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LN = S.length();
    private static final FloatVector IOTA;
    // accumulators start from FloatVector.zero(S), never from a static final vector: JDK 17's C2 then boxes every
    // vector of the loop (100x slower)

    static {
        float[] iota = new float[LN];
        for (int i = 0; i < LN; i++) {
            iota[i] = i;
        }
        IOTA = FloatVector.fromArray(S, iota, 0);
    }

    private final int C, C3, hs;
    /** Row stride of the T x T scratch: blockSize rounded up to the lanes. */
    private final int tp;
    private final float[] qa, ka, va, dya, out, kt, p, dp;

    static boolean fits(int headSize) {
        return headSize % LN == 0;
    }

    VectorAttention(int C, int headSize, int maxT) {
        if (!fits(headSize)) {
            throw new IllegalArgumentException("head size " + headSize + " is not a multiple of " + LN + " lanes");
        }
        this.C = C;
        this.C3 = 3 * C;
        this.hs = headSize;
        this.tp = (maxT + LN - 1) / LN * LN;
        qa = new float[maxT * hs];
        ka = new float[maxT * hs];
        va = new float[maxT * hs];
        dya = new float[maxT * hs];
        out = new float[maxT * hs];
        kt = new float[hs * tp];
        p = new float[maxT * tp];
        dp = new float[maxT * tp];
    }

    @Override
    public void forward(Buf qkv, int q, Buf att, int ao, Buf y, int yo, int T, float scale) {
        gather(qkv, q, C3, qa, T);
        gather(qkv, q + C, C3, ka, T);
        gather(qkv, q + 2 * C, C3, va, T);
        transpose(ka, T);
        lowerProduct(qa, p, T, scale);
        for (int i = 0; i < T; i++) {
            softmaxRow(i);
            att.f.put(ao + i * T, p, i * tp, T);
        }
        rowsProduct(p, va, T);
        scatter(y, yo, C, T);
    }

    @Override
    public void backward(Buf qkv, int q, Buf att, int ao, Buf dy, int yo, Buf dqkv, int T, float scale) {
        gather(qkv, q, C3, qa, T);
        gather(qkv, q + C, C3, ka, T);
        gather(qkv, q + 2 * C, C3, va, T);
        gather(dy, yo, C, dya, T);
        transpose(va, T);
        for (int i = 0; i < T; i++) {
            att.f.get(ao + i * T, p, i * tp, T);
        }
        lowerProduct(dya, dp, T, 1f); // dP = dY V^T
        colsProduct(p, dya, T); // dV = P^T dY
        scatter(dqkv, q + 2 * C, C3, T);
        for (int i = 0; i < T; i++) {
            softmaxBackwardRow(i, scale); // dS in dp
        }
        rowsProduct(dp, ka, T); // dQ = dS K
        scatter(dqkv, q, C3, T);
        colsProduct(dp, qa, T); // dK = dS^T Q
        scatter(dqkv, q + C, C3, T);
    }

    private void gather(Buf b, int off, int stride, float[] dst, int T) {
        for (int i = 0; i < T; i++) {
            b.f.get(off + i * stride, dst, i * hs, hs);
        }
    }

    private void scatter(Buf b, int off, int stride, int T) {
        for (int i = 0; i < T; i++) {
            b.f.put(off + i * stride, out, i * hs, hs);
        }
    }

    /** kt[d][j] = src[j][d]: keys (or values) along the lanes. */
    private void transpose(float[] src, int T) {
        for (int j = 0; j < T; j++) {
            for (int d = 0; d < hs; d++) {
                kt[d * tp + j] = src[j * hs + d];
            }
        }
    }

    /**
     * res[i][j] = scale * a[i] . kt[.][j] for the lane chunks up to each 4-row block's last diagonal; entries past a
     * row's diagonal are left for the caller to mask.
     */
    private void lowerProduct(float[] a, float[] res, int T, float scale) {
        for (int i0 = 0; i0 < T; i0 += 4) {
            int rows = Math.min(4, T - i0);
            int chunks = (i0 + rows - 1) / LN + 1;
            for (int c = 0; c < chunks; c++) {
                int jc = c * LN;
                if (rows == 4) {
                    FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S),
                            s3 = FloatVector.zero(S);
                    int a0 = i0 * hs;
                    for (int d = 0; d < hs; d++) {
                        FloatVector k = FloatVector.fromArray(S, kt, d * tp + jc);
                        s0 = k.fma(FloatVector.broadcast(S, a[a0 + d]), s0);
                        s1 = k.fma(FloatVector.broadcast(S, a[a0 + hs + d]), s1);
                        s2 = k.fma(FloatVector.broadcast(S, a[a0 + 2 * hs + d]), s2);
                        s3 = k.fma(FloatVector.broadcast(S, a[a0 + 3 * hs + d]), s3);
                    }
                    s0.mul(scale).intoArray(res, i0 * tp + jc);
                    s1.mul(scale).intoArray(res, (i0 + 1) * tp + jc);
                    s2.mul(scale).intoArray(res, (i0 + 2) * tp + jc);
                    s3.mul(scale).intoArray(res, (i0 + 3) * tp + jc);
                } else {
                    for (int i = i0; i < i0 + rows; i++) {
                        FloatVector s0 = FloatVector.zero(S);
                        for (int d = 0; d < hs; d++) {
                            s0 = FloatVector.fromArray(S, kt, d * tp + jc)
                                    .fma(FloatVector.broadcast(S, a[i * hs + d]), s0);
                        }
                        s0.mul(scale).intoArray(res, i * tp + jc);
                    }
                }
            }
        }
    }

    /**
     * out[i] = sum over j <= i of w[i][j] x[j]. Each 4-row block sums j up to its last row: w must be 0 past the
     * diagonal (the softmax and its backward write it so).
     */
    private void rowsProduct(float[] w, float[] x, int T) {
        for (int i0 = 0; i0 < T; i0 += 4) {
            int rows = Math.min(4, T - i0);
            for (int v = 0; v < hs; v += LN) {
                if (rows == 4) {
                    FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S),
                            a3 = FloatVector.zero(S);
                    int w0 = i0 * tp;
                    for (int j = 0, jn = i0 + 4; j < jn; j++) {
                        FloatVector xv = FloatVector.fromArray(S, x, j * hs + v);
                        a0 = xv.fma(FloatVector.broadcast(S, w[w0 + j]), a0);
                        a1 = xv.fma(FloatVector.broadcast(S, w[w0 + tp + j]), a1);
                        a2 = xv.fma(FloatVector.broadcast(S, w[w0 + 2 * tp + j]), a2);
                        a3 = xv.fma(FloatVector.broadcast(S, w[w0 + 3 * tp + j]), a3);
                    }
                    a0.intoArray(out, i0 * hs + v);
                    a1.intoArray(out, (i0 + 1) * hs + v);
                    a2.intoArray(out, (i0 + 2) * hs + v);
                    a3.intoArray(out, (i0 + 3) * hs + v);
                } else {
                    for (int i = i0; i < i0 + rows; i++) {
                        FloatVector a0 = FloatVector.zero(S);
                        for (int j = 0; j <= i; j++) {
                            a0 = FloatVector.fromArray(S, x, j * hs + v)
                                    .fma(FloatVector.broadcast(S, w[i * tp + j]), a0);
                        }
                        a0.intoArray(out, i * hs + v);
                    }
                }
            }
        }
    }

    /** out[j] = sum over i >= j of w[i][j] x[i] (w 0 past the diagonal, as for {@link #rowsProduct}). */
    private void colsProduct(float[] w, float[] x, int T) {
        for (int j0 = 0; j0 < T; j0 += 4) {
            int cols = Math.min(4, T - j0);
            for (int v = 0; v < hs; v += LN) {
                if (cols == 4) {
                    FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S),
                            a3 = FloatVector.zero(S);
                    for (int i = j0; i < T; i++) {
                        FloatVector xv = FloatVector.fromArray(S, x, i * hs + v);
                        int wi = i * tp + j0;
                        a0 = xv.fma(FloatVector.broadcast(S, w[wi]), a0);
                        a1 = xv.fma(FloatVector.broadcast(S, w[wi + 1]), a1);
                        a2 = xv.fma(FloatVector.broadcast(S, w[wi + 2]), a2);
                        a3 = xv.fma(FloatVector.broadcast(S, w[wi + 3]), a3);
                    }
                    a0.intoArray(out, j0 * hs + v);
                    a1.intoArray(out, (j0 + 1) * hs + v);
                    a2.intoArray(out, (j0 + 2) * hs + v);
                    a3.intoArray(out, (j0 + 3) * hs + v);
                } else {
                    for (int j = j0; j < j0 + cols; j++) {
                        FloatVector a0 = FloatVector.zero(S);
                        for (int i = j; i < T; i++) {
                            a0 = FloatVector.fromArray(S, x, i * hs + v)
                                    .fma(FloatVector.broadcast(S, w[i * tp + j]), a0);
                        }
                        a0.intoArray(out, j * hs + v);
                    }
                }
            }
        }
    }

    /** Row i of p: softmax over columns 0..i, 0 from i + 1 to the end of the scratch row. */
    private void softmaxRow(int i) {
        int r = i * tp, full = i + 1 - (i + 1) % LN, end = full == i + 1 ? full : full + LN;
        VectorMask<Float> past = IOTA.compare(VectorOperators.GT, (float) (i - full));
        FloatVector mxv = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < full; j += LN) {
            mxv = mxv.max(FloatVector.fromArray(S, p, r + j));
        }
        if (end > full) {
            mxv = mxv.max(FloatVector.fromArray(S, p, r + full).blend(Float.NEGATIVE_INFINITY, past));
        }
        float mx = mxv.reduceLanes(VectorOperators.MAX);
        FloatVector sv = FloatVector.zero(S);
        for (int j = 0; j < full; j += LN) {
            FloatVector e = VectorKernels.exp(FloatVector.fromArray(S, p, r + j).sub(mx));
            e.intoArray(p, r + j);
            sv = sv.add(e);
        }
        if (end > full) {
            FloatVector e = VectorKernels.exp(FloatVector.fromArray(S, p, r + full).sub(mx)).blend(0f, past);
            e.intoArray(p, r + full);
            sv = sv.add(e);
        }
        float inv = 1f / sv.reduceLanes(VectorOperators.ADD);
        for (int j = 0; j < end; j += LN) {
            FloatVector.fromArray(S, p, r + j).mul(inv).intoArray(p, r + j);
        }
        for (int j = end; j < tp; j += LN) {
            FloatVector.zero(S).intoArray(p, r + j);
        }
    }

    /** Row i: dp = scale * p * (dp - p . dp), 0 past the diagonal's lane chunk (p is 0 past the diagonal). */
    private void softmaxBackwardRow(int i, float scale) {
        int r = i * tp, end = i + LN - (i + LN) % LN;
        FloatVector dotv = FloatVector.zero(S);
        for (int j = 0; j < end; j += LN) {
            dotv = FloatVector.fromArray(S, p, r + j).fma(FloatVector.fromArray(S, dp, r + j), dotv);
        }
        float dot = dotv.reduceLanes(VectorOperators.ADD);
        for (int j = 0; j < end; j += LN) {
            FloatVector.fromArray(S, p, r + j).mul(FloatVector.fromArray(S, dp, r + j).sub(dot)).mul(scale)
                    .intoArray(dp, r + j);
        }
        for (int j = end; j < tp; j += LN) {
            FloatVector.zero(S).intoArray(dp, r + j);
        }
    }
}
