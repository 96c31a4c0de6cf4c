package io.sparkgpt.model;

import java.nio.FloatBuffer;

/**
 * The element-wise kernels of {@link GPT}'s training step (LayerNorm, GELU, residual adds, causal softmax, AdamW,
 * gradient sums), in plain Java. {@link #best()} gives {@link VectorKernels} (the same kernels on the JDK's Vector
 * API, 4-8x faster on AVX2: issue 14) when the JVM runs with {@code --add-modules jdk.incubator.vector}, and this
 * class otherwise. The two agree to float rounding (their sums run in another order: {@code KernelsTest}); each is
 * deterministic. Stateless: one instance serves every thread.
 */
class Kernels {
    static final float LN_EPS = 1e-5f;
    static final float GELU_K = (float) Math.sqrt(2.0 / Math.PI);
    static final float GELU_C = 0.044715f;
    private static final float INV_SQRT_2PI = (float) (1.0 / Math.sqrt(2.0 * Math.PI));

    /** The Vector API kernels when the module is there, else these. */
    static Kernels best() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            try {
                return (Kernels) Class.forName("io.sparkgpt.model.VectorKernels").getDeclaredConstructor()
                        .newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                return new Kernels();
            }
        }
        return new Kernels();
    }

    /** Which implementation this is (for benchmark output). */
    String name() {
        return "scalar";
    }

    /** LayerNorm over rows of C: out = (in - mean) * rstd * w (+ b); keeps each row's mean and rstd. */
    void layerNorm(Buf outb, Buf meanb, Buf rstdb, Buf inb, Buf pb, int w, int bias, int BT, int C) {
        FloatBuffer out = outb.f, in = inb.f, p = pb.f, mean = meanb.f, rstd = rstdb.f;
        for (int i = 0; i < BT; i++) {
            int o = i * C;
            float s = 0;
            for (int c = 0; c < C; c++) {
                s += in.get(o + c);
            }
            float mu = s / C;
            float var = 0;
            for (int c = 0; c < C; c++) {
                float d = in.get(o + c) - mu;
                var += d * d;
            }
            float rs = (float) (1.0 / Math.sqrt(var / C + LN_EPS));
            for (int c = 0; c < C; c++) {
                float nv = (in.get(o + c) - mu) * rs * p.get(w + c);
                if (bias >= 0) {
                    nv += p.get(bias + c);
                }
                out.put(o + c, nv);
            }
            mean.put(i, mu);
            rstd.put(i, rs);
        }
    }

    /** dIn += LN backward of dOut; gains (and biases) accumulate into g. */
    void layerNormBackward(Buf dInb, Buf dOutb, Buf inb, Buf meanb, Buf rstdb, Buf pb, Buf gb, int w, int bias,
                           int BT, int C) {
        FloatBuffer dIn = dInb.f, dOut = dOutb.f, in = inb.f, mean = meanb.f, rstd = rstdb.f, p = pb.f, g = gb.f;
        for (int i = 0; i < BT; i++) {
            int o = i * C;
            float mu = mean.get(i), rs = rstd.get(i);
            float dnMean = 0, dnNormMean = 0;
            for (int c = 0; c < C; c++) {
                float norm = (in.get(o + c) - mu) * rs;
                float dn = p.get(w + c) * dOut.get(o + c);
                dnMean += dn;
                dnNormMean += dn * norm;
            }
            dnMean /= C;
            dnNormMean /= C;
            for (int c = 0; c < C; c++) {
                float norm = (in.get(o + c) - mu) * rs;
                float dov = dOut.get(o + c);
                float dn = p.get(w + c) * dov;
                if (bias >= 0) {
                    g.put(bias + c, g.get(bias + c) + dov);
                }
                g.put(w + c, g.get(w + c) + norm * dov);
                dIn.put(o + c, dIn.get(o + c) + (dn - dnMean - norm * dnNormMean) * rs);
            }
        }
    }

    /**
     * GELU that also keeps what its backward needs: tanh(u) for the tanh form (so the backward needs no exp),
     * Phi(x) for the exact form.
     */
    void geluKeep(Buf outb, Buf keepb, Buf inb, int n, boolean exact) {
        FloatBuffer out = outb.f, in = inb.f, keep = keepb.f;
        for (int i = 0; i < n; i++) {
            float x = in.get(i);
            float k = exact ? GPT.normalCdf(x) : GPT.tanh(GELU_K * (x + GELU_C * x * x * x));
            keep.put(i, k);
            out.put(i, exact ? x * k : 0.5f * x * (1f + k));
        }
    }

    /** In place: d *= gelu'(x), with tanh(u) (tanh form) or Phi(x) (exact form) kept by the forward pass. */
    void geluBackward(Buf db, Buf xb, Buf keepb, int n, boolean exact) {
        FloatBuffer d = db.f, xs = xb.f, keep = keepb.f;
        for (int i = 0; i < n; i++) {
            float x = xs.get(i);
            float k = keep.get(i);
            float grad;
            if (exact) {
                // d/dx x Phi(x) = Phi(x) + x phi(x)
                grad = k + x * INV_SQRT_2PI * (float) Math.exp(-0.5 * x * x);
            } else {
                float sech2 = 1f - k * k;
                grad = 0.5f * (1f + k) + x * 0.5f * sech2 * GELU_K * (1f + 3f * GELU_C * x * x);
            }
            d.put(i, d.get(i) * grad);
        }
    }

    /** out = a + b over n floats. */
    void add(Buf outb, Buf ab, Buf bb, int n) {
        FloatBuffer out = outb.f, av = ab.f, bv = bb.f;
        for (int i = 0; i < n; i++) {
            out.put(i, av.get(i) + bv.get(i));
        }
    }

    /** g[lo, hi) += o[lo, hi). */
    void addInto(Buf gb, Buf ob, int lo, int hi) {
        FloatBuffer g = gb.f, o = ob.f;
        for (int i = lo; i < hi; i++) {
            g.put(i, g.get(i) + o.get(i));
        }
    }

    /** Sum of squares of g[lo, hi), in double. */
    double sumSquares(Buf gb, int lo, int hi) {
        FloatBuffer g = gb.f;
        double ss = 0;
        for (int i = lo; i < hi; i++) {
            float gi = g.get(i);
            ss += (double) gi * gi;
        }
        return ss;
    }

    /**
     * Causal softmax in place over the T x T scores at {@code att[ao..]}: row t over columns 0..t, the columns after
     * t set to 0.
     */
    void softmaxCausal(Buf attb, int ao, int T) {
        FloatBuffer attf = attb.f;
        for (int t = 0; t < T; t++) {
            int r = ao + t * T;
            float mx = Float.NEGATIVE_INFINITY;
            for (int j = 0; j <= t; j++) {
                mx = Math.max(mx, attf.get(r + j));
            }
            float s = 0;
            for (int j = 0; j <= t; j++) {
                float e = (float) Math.exp(attf.get(r + j) - mx);
                attf.put(r + j, e);
                s += e;
            }
            float inv = 1f / s;
            for (int j = 0; j <= t; j++) {
                attf.put(r + j, attf.get(r + j) * inv);
            }
            for (int j = t + 1; j < T; j++) {
                attf.put(r + j, 0f);
            }
        }
    }

    /**
     * Causal softmax backward in place: with P at {@code att[ao..]} and dL/dP in {@code dp[0..T*T)}, dp becomes
     * P * (dP - rowdot(P, dP)) * scale below the diagonal and 0 above it.
     */
    void softmaxBackward(Buf attb, int ao, Buf dpb, int T, float scale) {
        FloatBuffer attf = attb.f, dp = dpb.f;
        for (int t = 0; t < T; t++) {
            int r = ao + t * T, rr = t * T;
            float dot = 0;
            for (int j = 0; j <= t; j++) {
                dot += attf.get(r + j) * dp.get(rr + j);
            }
            for (int j = 0; j <= t; j++) {
                dp.put(rr + j, attf.get(r + j) * (dp.get(rr + j) - dot) * scale);
            }
            for (int j = t + 1; j < T; j++) {
                dp.put(rr + j, 0f);
            }
        }
    }

    /** One AdamW step's constants (clip factor folded into the gradient; decay = 1 - lr * weightDecay or 1). */
    record AdamW(float clip, float b1, float b2, float stepSize, float bc2Sqrt, float eps, float decay) {}

    /** AdamW over parameters [from, to): moments m and v, parameters p, gradient g. */
    void adamw(Buf pb, Buf gb, Buf mb, Buf vb, int from, int to, AdamW s) {
        FloatBuffer g = gb.f, p = pb.f, mf = mb.f, vf = vb.f;
        float b1 = s.b1(), b2 = s.b2(), clip = s.clip(), stepSize = s.stepSize(), bc2Sqrt = s.bc2Sqrt(),
                eps = s.eps(), decay = s.decay();
        for (int i = from; i < to; i++) {
            float gi = g.get(i) * clip;
            float mi = b1 * mf.get(i) + (1 - b1) * gi;
            float vi = b2 * vf.get(i) + (1 - b2) * gi * gi;
            mf.put(i, mi);
            vf.put(i, vi);
            p.put(i, p.get(i) * decay - stepSize * mi / ((float) Math.sqrt(vi) / bc2Sqrt + eps));
        }
    }
}
