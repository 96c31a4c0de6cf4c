package io.sparkgpt.model.compress;

import io.sparkgpt.model.GPT;
import io.sparkgpt.model.LogitsLoss;
import io.sparkgpt.model.MicroBatch;
import java.nio.FloatBuffer;

/**
 * Knowledge distillation (Hinton et al. 2015) as a {@link LogitsLoss}: per position,
 * {@code kdWeight * tau^2 * KL(softmax(t / tau) || softmax(s / tau)) + alpha * CE(s, y)}, averaged over all positions
 * of the batch, where t are the teacher's logits, s the student's and y the next tokens. The tau^2 keeps the soft
 * term's gradient on the scale of the hard one when tau changes. Gradient with respect to s:
 * {@code kdWeight * tau * (softmax(s/tau) - softmax(t/tau)) + alpha * (softmax(s) - onehot(y))}, divided by the
 * number of positions.
 */
public final class DistillationLoss implements LogitsLoss {
    private final float[] teacher;
    private final int[][] y;
    private final double tau, kdWeight, alpha;
    private final int V;
    private final float scale;

    /**
     * @param teacherLogits the teacher's logits for the same batch, {@code [rows*T*V]} ({@link #teacherLogits})
     * @param y             next-token ids {@code [rows][T]}
     * @param temperature   tau > 0
     * @param kdWeight      weight of the soft (KL) term, >= 0
     * @param alpha         weight of the hard cross-entropy term, >= 0
     */
    public DistillationLoss(float[] teacherLogits, int[][] y, double temperature, double kdWeight, double alpha,
                            int vocabSize) {
        if (!(temperature > 0) || kdWeight < 0 || alpha < 0) {
            throw new IllegalArgumentException("distillation needs temperature > 0 and weights >= 0: " + temperature
                    + ", " + kdWeight + ", " + alpha);
        }
        long n = (long) y.length * y[0].length;
        if (teacherLogits.length != n * vocabSize) {
            throw new IllegalArgumentException("teacher logits have " + teacherLogits.length + " floats, the batch "
                    + "needs " + n * vocabSize);
        }
        this.teacher = teacherLogits;
        this.y = y;
        this.tau = temperature;
        this.kdWeight = kdWeight;
        this.alpha = alpha;
        this.V = vocabSize;
        this.scale = (float) (1.0 / n);
    }

    /** The teacher's logits for every position of {@code x}: {@code [rows*T*V]}, no dropout, teacher unchanged. */
    public static float[] teacherLogits(GPT teacher, int[][] x) {
        int T = x[0].length, V = teacher.config().vocabSize();
        float[] out = new float[x.length * T * V];
        teacher.forwardInference(x, (row0, mb) -> {
            mb.logits().get(0, out, row0 * T * V, mb.rows() * T * V);
            return 0;
        });
        return out;
    }

    @Override
    public double apply(int row0, MicroBatch mb) {
        if (mb.V() != V) {
            throw new IllegalArgumentException("student vocabulary " + mb.V() + " differs from the teacher's " + V);
        }
        FloatBuffer lg = mb.logits();
        int T = mb.T();
        double[] ps = new double[V], pt = new double[V], p1 = new double[V];
        double total = 0;
        for (int b = 0; b < mb.rows(); b++) {
            for (int t = 0; t < T; t++) {
                int o = (b * T + t) * V, to = ((row0 + b) * T + t) * V;
                int tgt = y[row0 + b][t];
                if (tgt < 0 || tgt >= V) {
                    throw new IllegalArgumentException("target id " + tgt + " at row " + (row0 + b) + " position "
                            + t + " is outside the vocabulary of " + V);
                }
                // soft term at temperature tau: KL(pt || ps)
                double ms = Double.NEGATIVE_INFINITY, mt = Double.NEGATIVE_INFINITY, m1 = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < V; i++) {
                    double s = lg.get(o + i);
                    ms = Math.max(ms, s / tau);
                    mt = Math.max(mt, teacher[to + i] / tau);
                    m1 = Math.max(m1, s);
                }
                double zs = 0, zt = 0, z1 = 0;
                for (int i = 0; i < V; i++) {
                    double s = lg.get(o + i);
                    ps[i] = Math.exp(s / tau - ms);
                    pt[i] = Math.exp(teacher[to + i] / tau - mt);
                    p1[i] = Math.exp(s - m1);
                    zs += ps[i];
                    zt += pt[i];
                    z1 += p1[i];
                }
                double lzs = Math.log(zs), lzt = Math.log(zt);
                double kl = 0;
                for (int i = 0; i < V; i++) {
                    double q = pt[i] / zt;
                    if (q > 0) {
                        double logq = teacher[to + i] / tau - mt - lzt, logp = lg.get(o + i) / tau - ms - lzs;
                        kl += q * (logq - logp);
                    }
                }
                double ce = m1 + Math.log(z1) - lg.get(o + tgt);
                total += kdWeight * tau * tau * kl + alpha * ce;
                for (int i = 0; i < V; i++) {
                    double g = kdWeight * tau * (ps[i] / zs - pt[i] / zt) + alpha * (p1[i] / z1 - (i == tgt ? 1 : 0));
                    lg.put(o + i, (float) g * scale);
                }
            }
        }
        return total * scale;
    }
}
