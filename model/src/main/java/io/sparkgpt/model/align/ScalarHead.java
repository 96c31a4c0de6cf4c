package io.sparkgpt.model.align;

import io.sparkgpt.model.Rng;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A scalar head on the GPT trunk: {@code r = w . h + b}, read from the final hidden state (ln_f's output) at one
 * position: the last token for a reward model, every response token for PPO's value head. It has its own AdamW
 * state (the trunk's optimizer knows only the trunk's parameters), and {@link #state()} / {@link #restore} give
 * every float of it for checkpoints, so a resumed run continues bit for bit.
 */
public final class ScalarHead {
    private final int C;
    private final float[] p;    // w[0..C), b at C
    private final double[] grad;
    private final float[] m;
    private final float[] v;
    private long steps;

    private ScalarHead(int C) {
        if (C < 1) {
            throw new IllegalArgumentException("head width must be >= 1: " + C);
        }
        this.C = C;
        this.p = new float[C + 1];
        this.grad = new double[C + 1];
        this.m = new float[C + 1];
        this.v = new float[C + 1];
    }

    /** w ~ N(0, 1/C) so that the initial output has unit scale on a LayerNorm'd input; b = 0. */
    public static ScalarHead create(int C, long seed) {
        ScalarHead h = new ScalarHead(C);
        Rng r = new Rng(Rng.mix(seed, 0x4EADL));
        for (int i = 0; i < C; i++) {
            h.p[i] = (float) (r.nextGaussian() / Math.sqrt(C));
        }
        return h;
    }

    public int width() {
        return C;
    }

    /** {@code w . hidden[off .. off+C) + b}. */
    public double score(FloatBuffer hidden, int off) {
        double s = p[C];
        for (int c = 0; c < C; c++) {
            s += p[c] * hidden.get(off + c);
        }
        return s;
    }

    /** {@code w . h + b} of a plain array. */
    public double score(float[] h) {
        return score(FloatBuffer.wrap(h), 0);
    }

    /**
     * Backward of one score with upstream gradient {@code dr}: adds {@code dr * w} into
     * {@code hiddenGrad[off .. off+C)} and {@code dr * h} (and {@code dr} for b) into {@code headGrad[0..C]}
     * (the caller's accumulator, so that threads working on disjoint rows never share one).
     */
    public void backward(FloatBuffer hidden, int off, double dr, FloatBuffer hiddenGrad, double[] headGrad) {
        for (int c = 0; c < C; c++) {
            hiddenGrad.put(off + c, (float) (hiddenGrad.get(off + c) + dr * p[c]));
            headGrad[c] += dr * hidden.get(off + c);
        }
        headGrad[C] += dr;
    }

    /** Zeroes the gradient accumulated for the next {@link #update}. */
    public void zeroGrad() {
        Arrays.fill(grad, 0);
    }

    /** Adds a gradient (length C+1) to the one the next {@link #update} uses. */
    public void addGrad(double[] g) {
        if (g.length != C + 1) {
            throw new IllegalArgumentException("head gradient has " + g.length + " entries, expected " + (C + 1));
        }
        for (int i = 0; i <= C; i++) {
            grad[i] += g[i];
        }
    }

    /** A copy of the accumulated gradient. */
    public double[] gradient() {
        return grad.clone();
    }

    /** One AdamW step (no weight decay on a head this small), then the gradient is zeroed. */
    public void update(double lr, double beta1, double beta2, double eps) {
        steps++;
        double bc1 = 1 - Math.pow(beta1, steps);
        double bc2 = 1 - Math.pow(beta2, steps);
        for (int i = 0; i <= C; i++) {
            float g = (float) grad[i];
            m[i] = (float) (beta1 * m[i] + (1 - beta1) * g);
            v[i] = (float) (beta2 * v[i] + (1 - beta2) * g * g);
            double mh = m[i] / bc1;
            double vh = v[i] / bc2;
            p[i] -= (float) (lr * mh / (Math.sqrt(vh) + eps));
        }
        zeroGrad();
    }

    /** The AdamW moments {@code [m, v]} (2 x (C+1) floats) and the step counter. */
    public float[] moments() {
        float[] out = new float[2 * (C + 1)];
        System.arraycopy(m, 0, out, 0, C + 1);
        System.arraycopy(v, 0, out, C + 1, C + 1);
        return out;
    }

    public long steps() {
        return steps;
    }

    /** Sets the moments ({@link #moments()}'s layout) and the step counter. */
    public void setMoments(float[] mv, long steps) {
        if (mv.length != 2 * (C + 1)) {
            throw new IllegalArgumentException("head moments need " + 2 * (C + 1) + " floats, got " + mv.length);
        }
        System.arraycopy(mv, 0, m, 0, C + 1);
        System.arraycopy(mv, C + 1, v, 0, C + 1);
        this.steps = steps;
    }

    public float[] params() {
        return p.clone();
    }

    public void setParams(float[] q) {
        if (q.length != C + 1) {
            throw new IllegalArgumentException("head has " + (C + 1) + " parameters, got " + q.length);
        }
        System.arraycopy(q, 0, p, 0, C + 1);
    }

    /** Every float of the head: params, m, v, then the step counter's two halves as raw int bits. */
    public float[] state() {
        float[] s = new float[3 * (C + 1) + 2];
        System.arraycopy(p, 0, s, 0, C + 1);
        System.arraycopy(m, 0, s, C + 1, C + 1);
        System.arraycopy(v, 0, s, 2 * (C + 1), C + 1);
        s[3 * (C + 1)] = Float.intBitsToFloat((int) (steps >>> 32));
        s[3 * (C + 1) + 1] = Float.intBitsToFloat((int) steps);
        return s;
    }

    /** The inverse of {@link #state()}. */
    public static ScalarHead restore(float[] s) {
        int C = (s.length - 2) / 3 - 1;
        if (C < 1 || 3 * (C + 1) + 2 != s.length) {
            throw new IllegalArgumentException("not a scalar head's state: " + s.length + " floats");
        }
        ScalarHead h = new ScalarHead(C);
        h.setState(s);
        return h;
    }

    /** Loads {@link #state()} of a head of the same width into this one; the gradient is zeroed. */
    public void setState(float[] s) {
        if (s.length != 3 * (C + 1) + 2) {
            throw new IllegalArgumentException("head of width " + C + " needs " + (3 * (C + 1) + 2)
                    + " state floats, got " + s.length);
        }
        System.arraycopy(s, 0, p, 0, C + 1);
        System.arraycopy(s, C + 1, m, 0, C + 1);
        System.arraycopy(s, 2 * (C + 1), v, 0, C + 1);
        long hi = Float.floatToRawIntBits(s[3 * (C + 1)]) & 0xFFFFFFFFL;
        long lo = Float.floatToRawIntBits(s[3 * (C + 1) + 1]) & 0xFFFFFFFFL;
        steps = (hi << 32) | lo;
        zeroGrad();
    }

    /** {@link #state()} as text (each float's raw bits in hex) for a checkpoint's string metadata: exact. */
    public String encode() {
        float[] s = state();
        StringBuilder b = new StringBuilder(s.length * 9);
        for (int i = 0; i < s.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(Integer.toHexString(Float.floatToRawIntBits(s[i])));
        }
        return b.toString();
    }

    /** The inverse of {@link #encode()}; {@code where} names the source in the error. */
    public static ScalarHead decode(String text, String where) {
        try {
            String[] parts = text.split(",");
            float[] s = new float[parts.length];
            for (int i = 0; i < parts.length; i++) {
                s[i] = Float.intBitsToFloat(Integer.parseUnsignedInt(parts[i], 16));
            }
            return restore(s);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": not a scalar head: " + e.getMessage(), e);
        }
    }
}
