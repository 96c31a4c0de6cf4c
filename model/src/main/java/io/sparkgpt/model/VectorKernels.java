package io.sparkgpt.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Kernels} on the JDK's Vector API (incubating in Java 17: loaded only when the JVM has
 * {@code --add-modules jdk.incubator.vector}), reading and writing the off-heap buffers through their
 * {@link ByteBuffer} views. Shapes the lanes do not tile (rows of C not a multiple of the lane count, the exact GELU)
 * and the tails of parameter ranges run the scalar code. exp (softmax) is Cephes' expf polynomial (relative error
 * ~1e-7): the Vector API's own EXP is not a fast intrinsic on every JDK 17 build.
 */
final class VectorKernels extends Kernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LN = S.length();
    private static final ByteOrder NO = ByteOrder.nativeOrder();
    private static final FloatVector IOTA;

    static {
        float[] iota = new float[LN];
        for (int i = 0; i < LN; i++) {
            iota[i] = i;
        }
        IOTA = FloatVector.fromArray(S, iota, 0);
    }

    @Override
    String name() {
        return "vector" + LN * 32;
    }

    private static FloatVector ld(Buf b, int i) {
        return FloatVector.fromByteBuffer(S, b.b, i << 2, NO);
    }

    private static void st(FloatVector v, Buf b, int i) {
        v.intoByteBuffer(b.b, i << 2, NO);
    }

    private static int floorLanes(int n) {
        return n - n % LN;
    }

    @Override
    void layerNorm(Buf out, Buf mean, Buf rstd, Buf in, Buf p, int w, int bias, int BT, int C) {
        if (C % LN != 0) {
            super.layerNorm(out, mean, rstd, in, p, w, bias, BT, C);
            return;
        }
        for (int i = 0; i < BT; i++) {
            int o = i * C;
            FloatVector s = FloatVector.zero(S);
            for (int c = 0; c < C; c += LN) {
                s = s.add(ld(in, o + c));
            }
            float mu = s.reduceLanes(VectorOperators.ADD) / C;
            FloatVector var = FloatVector.zero(S);
            for (int c = 0; c < C; c += LN) {
                FloatVector d = ld(in, o + c).sub(mu);
                var = d.fma(d, var);
            }
            float rs = (float) (1.0 / Math.sqrt(var.reduceLanes(VectorOperators.ADD) / C + LN_EPS));
            for (int c = 0; c < C; c += LN) {
                FloatVector nv = ld(in, o + c).sub(mu).mul(rs).mul(ld(p, w + c));
                if (bias >= 0) {
                    nv = nv.add(ld(p, bias + c));
                }
                st(nv, out, o + c);
            }
            mean.set(i, mu);
            rstd.set(i, rs);
        }
    }

    @Override
    void layerNormBackward(Buf dIn, Buf dOut, Buf in, Buf mean, Buf rstd, Buf p, Buf g, int w, int bias, int BT,
                           int C) {
        if (C % LN != 0) {
            super.layerNormBackward(dIn, dOut, in, mean, rstd, p, g, w, bias, BT, C);
            return;
        }
        for (int i = 0; i < BT; i++) {
            int o = i * C;
            float mu = mean.get(i), rs = rstd.get(i);
            FloatVector dnSum = FloatVector.zero(S), dnNormSum = dnSum;
            for (int c = 0; c < C; c += LN) {
                FloatVector norm = ld(in, o + c).sub(mu).mul(rs);
                FloatVector dn = ld(p, w + c).mul(ld(dOut, o + c));
                dnSum = dnSum.add(dn);
                dnNormSum = dn.fma(norm, dnNormSum);
            }
            float dnMean = dnSum.reduceLanes(VectorOperators.ADD) / C;
            float dnNormMean = dnNormSum.reduceLanes(VectorOperators.ADD) / C;
            for (int c = 0; c < C; c += LN) {
                FloatVector norm = ld(in, o + c).sub(mu).mul(rs);
                FloatVector dov = ld(dOut, o + c);
                FloatVector dn = ld(p, w + c).mul(dov);
                if (bias >= 0) {
                    st(ld(g, bias + c).add(dov), g, bias + c);
                }
                st(norm.fma(dov, ld(g, w + c)), g, w + c);
                st(ld(dIn, o + c).add(dn.sub(dnMean).sub(norm.mul(dnNormMean)).mul(rs)), dIn, o + c);
            }
        }
    }

    /** tanh(u) by the same clamped rational function as {@link GPT#tanh}, on lanes. */
    private static FloatVector tanh(FloatVector u) {
        FloatVector x = u.max(-7.90531110763549805f).min(7.90531110763549805f);
        FloatVector x2 = x.mul(x);
        FloatVector p = x2.mul(-2.76076847742355e-16f).add(2.00018790482477e-13f);
        p = p.mul(x2).add(-8.60467152213735e-11f);
        p = p.mul(x2).add(5.12229709037114e-08f);
        p = p.mul(x2).add(1.48572235717979e-05f);
        p = p.mul(x2).add(6.37261928875436e-04f);
        p = p.mul(x2).add(4.89352455891786e-03f);
        p = p.mul(x);
        FloatVector q = x2.mul(1.19825839466702e-06f).add(1.18534705686654e-04f);
        q = q.mul(x2).add(2.26843463243900e-03f);
        q = q.mul(x2).add(4.89352518554385e-03f);
        return p.div(q);
    }

    @Override
    void geluKeep(Buf out, Buf keep, Buf in, int n, boolean exact) {
        if (exact || n % LN != 0) {
            super.geluKeep(out, keep, in, n, exact);
            return;
        }
        for (int i = 0; i < n; i += LN) {
            FloatVector x = ld(in, i);
            FloatVector k = tanh(x.mul(x).mul(x).mul(GELU_C).add(x).mul(GELU_K));
            st(k, keep, i);
            st(x.mul(0.5f).mul(k.add(1f)), out, i);
        }
    }

    @Override
    void geluBackward(Buf d, Buf xb, Buf keep, int n, boolean exact) {
        if (exact || n % LN != 0) {
            super.geluBackward(d, xb, keep, n, exact);
            return;
        }
        for (int i = 0; i < n; i += LN) {
            FloatVector x = ld(xb, i);
            FloatVector k = ld(keep, i);
            FloatVector sech2 = k.mul(k).neg().add(1f);
            FloatVector grad = k.add(1f).mul(0.5f)
                    .add(x.mul(0.5f * GELU_K).mul(sech2).mul(x.mul(x).mul(3f * GELU_C).add(1f)));
            st(ld(d, i).mul(grad), d, i);
        }
    }

    @Override
    void add(Buf out, Buf a, Buf b, int n) {
        if (n % LN != 0) {
            super.add(out, a, b, n);
            return;
        }
        for (int i = 0; i < n; i += LN) {
            st(ld(a, i).add(ld(b, i)), out, i);
        }
    }

    @Override
    void addInto(Buf g, Buf o, int lo, int hi) {
        int i = lo, end = lo + floorLanes(hi - lo);
        for (; i < end; i += LN) {
            st(ld(g, i).add(ld(o, i)), g, i);
        }
        super.addInto(g, o, i, hi);
    }

    @Override
    double sumSquares(Buf g, int lo, int hi) {
        // float lanes over blocks of 1024, each block's sum added in double: float error stays at one block's
        final int block = 1024;
        double ss = 0;
        int i = lo, end = lo + floorLanes(hi - lo);
        while (i < end) {
            int stop = Math.min(end, i + block);
            FloatVector acc = FloatVector.zero(S);
            for (; i < stop; i += LN) {
                FloatVector v = ld(g, i);
                acc = v.fma(v, acc);
            }
            ss += acc.reduceLanes(VectorOperators.ADD);
        }
        return ss + super.sumSquares(g, i, hi);
    }

    @Override
    void adamw(Buf p, Buf g, Buf m, Buf v, int from, int to, AdamW s) {
        int i = from, end = from + floorLanes(to - from);
        float b1c = 1 - s.b1(), b2c = 1 - s.b2(), inv = 1f / s.bc2Sqrt();
        for (; i < end; i += LN) {
            FloatVector gi = ld(g, i).mul(s.clip());
            FloatVector mi = ld(m, i).mul(s.b1()).add(gi.mul(b1c));
            FloatVector vi = ld(v, i).mul(s.b2()).add(gi.mul(gi).mul(b2c));
            st(mi, m, i);
            st(vi, v, i);
            FloatVector den = vi.sqrt().mul(inv).add(s.eps());
            st(ld(p, i).mul(s.decay()).sub(mi.mul(s.stepSize()).div(den)), p, i);
        }
        super.adamw(p, g, m, v, i, to, s);
    }

    /** 1.5 * 2^23: x + MAGIC rounds x to an integer n held in the low bits (bits(MAGIC + n) = 0x4B400000 + n). */
    private static final float MAGIC = 12582912f;

    /**
     * e^x on lanes (Cephes expf: 2^n * poly(r), n = round(x / ln 2), r = x - n ln 2), without float-int conversions
     * (Java 17 does not compile those to vector instructions on every CPU).
     */
    private static FloatVector exp(FloatVector x) {
        x = x.max(-87.3f).min(88f);
        FloatVector t = x.mul(1.44269504088896341f).add(MAGIC);
        FloatVector n = t.sub(MAGIC);
        FloatVector r = x.sub(n.mul(0.693359375f)).sub(n.mul(-2.12194440e-4f));
        FloatVector y = r.mul(1.9875691500e-4f).add(1.3981999507e-3f);
        y = y.mul(r).add(8.3334519073e-3f);
        y = y.mul(r).add(4.1665795894e-2f);
        y = y.mul(r).add(1.6666665459e-1f);
        y = y.mul(r).add(5.0000001201e-1f);
        y = y.mul(r.mul(r)).add(r).add(1f);
        IntVector e = ((IntVector) t.reinterpretAsInts()).sub(0x4B400000 - 127).lanewise(VectorOperators.LSHL, 23);
        return y.mul(e.reinterpretAsFloats());
    }

    @Override
    void softmaxCausal(Buf att, int ao, int T) {
        if (T % LN != 0) {
            super.softmaxCausal(att, ao, T);
            return;
        }
        FloatVector zero = FloatVector.zero(S);
        for (int t = 0; t < T; t++) {
            int r = ao + t * T, full = floorLanes(t + 1), end = full == t + 1 ? full : full + LN;
            // lanes of the last chunk that lie past the diagonal
            VectorMask<Float> past = IOTA.compare(VectorOperators.GT, (float) (t - full));
            FloatVector mxv = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (int j = 0; j < full; j += LN) {
                mxv = mxv.max(ld(att, r + j));
            }
            if (end > full) {
                mxv = mxv.max(ld(att, r + full).blend(Float.NEGATIVE_INFINITY, past));
            }
            float mx = mxv.reduceLanes(VectorOperators.MAX);
            FloatVector sv = zero;
            for (int j = 0; j < full; j += LN) {
                FloatVector e = exp(ld(att, r + j).sub(mx));
                st(e, att, r + j);
                sv = sv.add(e);
            }
            if (end > full) {
                FloatVector e = exp(ld(att, r + full).sub(mx)).blend(0f, past);
                st(e, att, r + full);
                sv = sv.add(e);
            }
            float inv = 1f / sv.reduceLanes(VectorOperators.ADD);
            for (int j = 0; j < end; j += LN) {
                st(ld(att, r + j).mul(inv), att, r + j);
            }
            for (int j = end; j < T; j += LN) {
                st(zero, att, r + j);
            }
        }
    }

    @Override
    void softmaxBackward(Buf att, int ao, Buf dp, int T, float scale) {
        if (T % LN != 0) {
            super.softmaxBackward(att, ao, dp, T, scale);
            return;
        }
        FloatVector zero = FloatVector.zero(S);
        for (int t = 0; t < T; t++) {
            int r = ao + t * T, rr = t * T, end = floorLanes(t + LN);
            // P is 0 past the diagonal (softmaxCausal wrote it so), so whole chunks give the exact row dot
            FloatVector dotv = zero;
            for (int j = 0; j < end; j += LN) {
                dotv = ld(att, r + j).fma(ld(dp, rr + j), dotv);
            }
            float dot = dotv.reduceLanes(VectorOperators.ADD);
            for (int j = 0; j < end; j += LN) {
                st(ld(att, r + j).mul(ld(dp, rr + j).sub(dot)).mul(scale), dp, rr + j);
            }
            for (int j = end; j < T; j += LN) {
                st(zero, dp, rr + j);
            }
        }
    }
}
