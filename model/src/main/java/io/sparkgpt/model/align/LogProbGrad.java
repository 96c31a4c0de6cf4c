package io.sparkgpt.model.align;

import java.nio.FloatBuffer;

/**
 * The log-probability of one target token from a row of logits, and the gradient of {@code weight * log p(target)}
 * with respect to those logits, {@code weight * (onehot(target) - softmax(logits))}, written over the logits in place.
 * DPO and PPO both reduce to this: their losses are functions of per-token log-probabilities, and their gradient is
 * a weight per token times this.
 */
public final class LogProbGrad {

    private LogProbGrad() {}

    /** {@code log softmax(logits[off .. off+V))[target]}; reads only. */
    public static double logProb(FloatBuffer logits, int off, int V, int target) {
        float mx = Float.NEGATIVE_INFINITY;
        for (int v = 0; v < V; v++) {
            mx = Math.max(mx, logits.get(off + v));
        }
        double sum = 0;
        for (int v = 0; v < V; v++) {
            sum += Math.exp(logits.get(off + v) - mx);
        }
        return logits.get(off + target) - mx - Math.log(sum);
    }

    /**
     * Overwrites {@code logits[off .. off+V)} with {@code weight * (onehot(target) - softmax)} and returns the
     * log-probability of {@code target} read before the overwrite. {@code weight = 0} writes zeros.
     */
    public static double writeGrad(FloatBuffer logits, int off, int V, int target, double weight) {
        float mx = Float.NEGATIVE_INFINITY;
        for (int v = 0; v < V; v++) {
            mx = Math.max(mx, logits.get(off + v));
        }
        double sum = 0;
        for (int v = 0; v < V; v++) {
            sum += Math.exp(logits.get(off + v) - mx);
        }
        double lse = mx + Math.log(sum);
        double lp = logits.get(off + target) - lse;
        for (int v = 0; v < V; v++) {
            double p = Math.exp(logits.get(off + v) - lse);
            logits.put(off + v, (float) (weight * ((v == target ? 1 : 0) - p)));
        }
        return lp;
    }

    /** Zeros {@code logits[off .. off+V)}: a position that carries no loss. */
    public static void zero(FloatBuffer logits, int off, int V) {
        for (int v = 0; v < V; v++) {
            logits.put(off + v, 0f);
        }
    }
}
