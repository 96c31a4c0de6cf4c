package io.sparkgpt.model.align;

/**
 * The arithmetic of PPO for language models (Ouyang et al. 2022; Ziegler et al. 2019; the TRL/OpenRLHF recipe), on
 * the response tokens of one rollout: per-token KL penalty to the reference model, generalised advantage estimation,
 * the clipped surrogate objective and the clipped value loss. Arrays are indexed by response token; all functions
 * are pure.
 */
public final class Ppo {

    private Ppo() {}

    /**
     * Per-token rewards: {@code r_t = -klCoef * (logp_t - logpRef_t)} (the k1 estimate of the KL to the reference
     * model, at the sampled token), and the sequence's score added at the last token.
     */
    public static double[] rewards(double[] logp, double[] logpRef, double score, double klCoef) {
        int n = check(logp, logpRef, "logpRef");
        double[] r = new double[n];
        for (int t = 0; t < n; t++) {
            r[t] = -klCoef * (logp[t] - logpRef[t]);
        }
        if (n > 0) {
            r[n - 1] += score;
        }
        return r;
    }

    /** The sequence's KL to the reference (sum of {@code logp_t - logpRef_t} over its tokens, k1 estimate). */
    public static double kl(double[] logp, double[] logpRef) {
        int n = check(logp, logpRef, "logpRef");
        double s = 0;
        for (int t = 0; t < n; t++) {
            s += logp[t] - logpRef[t];
        }
        return s;
    }

    /** @param advantages A_t; @param returns A_t + V_t, the value head's target */
    public record Gae(double[] advantages, double[] returns) {}

    /**
     * GAE(gamma, lambda) over an episode that ends after its last token (the value after it is 0):
     * {@code delta_t = r_t + gamma * V_{t+1} - V_t}, {@code A_t = delta_t + gamma * lambda * A_{t+1}}.
     */
    public static Gae gae(double[] rewards, double[] values, double gamma, double lambda) {
        int n = check(rewards, values, "values");
        double[] adv = new double[n];
        double[] ret = new double[n];
        double next = 0;
        double nextV = 0;
        for (int t = n - 1; t >= 0; t--) {
            double delta = rewards[t] + gamma * nextV - values[t];
            next = delta + gamma * lambda * next;
            adv[t] = next;
            ret[t] = next + values[t];
            nextV = values[t];
        }
        return new Gae(adv, ret);
    }

    /**
     * Leave-one-out advantages (RLOO): {@code returns} holds groups of {@code k} consecutive samples of one prompt;
     * each sample's advantage is its return less the mean return of the other {@code k - 1} of its group.
     */
    public static double[] leaveOneOut(double[] returns, int k) {
        if (k < 2 || returns.length % k != 0) {
            throw new IllegalArgumentException(returns.length + " returns do not form groups of " + k + " (k >= 2)");
        }
        double[] adv = new double[returns.length];
        for (int g = 0; g < returns.length; g += k) {
            double sum = 0;
            for (int i = g; i < g + k; i++) {
                sum += returns[i];
            }
            for (int i = g; i < g + k; i++) {
                adv[i] = returns[i] - (sum - returns[i]) / (k - 1);
            }
        }
        return adv;
    }

    /**
     * Advantages normalised to mean 0 and standard deviation 1 over all tokens of a batch (population std,
     * {@code 1e-8} added): the usual PPO whitening. Returns new arrays.
     */
    public static double[][] whiten(double[][] adv) {
        double sum = 0;
        long n = 0;
        for (double[] a : adv) {
            for (double v : a) {
                sum += v;
                n++;
            }
        }
        if (n == 0) {
            return adv.clone();
        }
        double mean = sum / n;
        double ss = 0;
        for (double[] a : adv) {
            for (double v : a) {
                ss += (v - mean) * (v - mean);
            }
        }
        double std = Math.sqrt(ss / n);
        double[][] out = new double[adv.length][];
        for (int i = 0; i < adv.length; i++) {
            out[i] = new double[adv[i].length];
            for (int t = 0; t < adv[i].length; t++) {
                out[i][t] = (adv[i][t] - mean) / (std + 1e-8);
            }
        }
        return out;
    }

    /**
     * One token of the clipped surrogate: {@code ratio = exp(logpNew - logpOld)},
     * {@code loss = -min(ratio * A, clip(ratio, 1 - eps, 1 + eps) * A)}.
     *
     * @param loss    the token's loss
     * @param dLogp   dLoss/dlogpNew: {@code -ratio * A} where the unclipped term is the minimum, else 0
     * @param clipped whether the clipped term was taken (no gradient)
     */
    public record Surrogate(double loss, double dLogp, boolean clipped, double ratio) {}

    public static Surrogate surrogate(double logpNew, double logpOld, double advantage, double clipEps) {
        double ratio = Math.exp(logpNew - logpOld);
        double unclipped = ratio * advantage;
        double clippedRatio = Math.max(1 - clipEps, Math.min(1 + clipEps, ratio));
        double clippedTerm = clippedRatio * advantage;
        if (unclipped <= clippedTerm) {
            return new Surrogate(-unclipped, -ratio * advantage, false, ratio);
        }
        return new Surrogate(-clippedTerm, 0, true, ratio);
    }

    /**
     * One token of the clipped value loss {@code 0.5 * max((V - R)^2, (Vold + clip(V - Vold, -eps, eps) - R)^2)}.
     *
     * @param dValue dLoss/dV
     */
    public record ValueLoss(double loss, double dValue) {}

    public static ValueLoss valueLoss(double value, double valueOld, double ret, double clipEps) {
        double a = value - ret;
        double vc = valueOld + Math.max(-clipEps, Math.min(clipEps, value - valueOld));
        double b = vc - ret;
        if (a * a >= b * b) {
            return new ValueLoss(0.5 * a * a, a);
        }
        // the clipped branch: its derivative in V is b where V - Vold lies inside the clip range, else 0
        boolean inside = Math.abs(value - valueOld) < clipEps;
        return new ValueLoss(0.5 * b * b, inside ? b : 0);
    }

    private static int check(double[] a, double[] b, String name) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(name + " has " + b.length + " tokens, expected " + a.length);
        }
        return a.length;
    }
}
