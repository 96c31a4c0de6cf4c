package io.sparkgpt.model;

import java.nio.FloatBuffer;

/**
 * Next-token cross-entropy with an ignore index: {@code y[b][t] = -1} leaves position t of row b out (prompt tokens
 * in SFT, padding). The loss is the mean over the non-ignored positions of the WHOLE batch (PyTorch's
 * {@code cross_entropy(ignore_index=-1)}); a batch with no target has loss 0 and a zero gradient. Stateless beyond
 * {@code y}, so it is safe on several threads at once.
 */
public final class CrossEntropyLoss implements LogitsLoss {
    /** The target id that marks an ignored position. */
    public static final int IGNORE = -1;

    private final int[][] y;
    private final long count;
    private final float dscale;

    /** @param y target ids {@code [rows][T]}, {@link #IGNORE} where a position is not trained */
    public CrossEntropyLoss(int[][] y) {
        this.y = y;
        long n = 0;
        for (int[] row : y) {
            for (int t : row) {
                if (t != IGNORE) {
                    n++;
                }
            }
        }
        this.count = n;
        // the same float as the original fused step's 1f / ((float) rows * T) when nothing is ignored
        this.dscale = n == 0 ? 0f : 1f / (float) n;
    }

    /** Positions that count (targets other than {@link #IGNORE}). */
    public long count() {
        return count;
    }

    @Override
    public double apply(int row0, MicroBatch mb) {
        double nats = nats(mb.logits(), y, row0, mb.rows(), mb.T(), mb.V(), dscale);
        return count == 0 ? 0 : nats / count;
    }

    /**
     * Summed cross-entropy (nats) of rows {@code row0..row0+B-1} of {@code y} against logits {@code lg}
     * {@code [B*T*V]}. With {@code dscale != 0} the logits are overwritten with (softmax - onehot) * dscale, and with
     * 0 at ignored positions.
     */
    static double nats(FloatBuffer lg, int[][] y, int row0, int B, int T, int V, float dscale) {
        double total = 0;
        for (int b = 0; b < B; b++) {
            int[] row = y[row0 + b];
            if (row.length != T) {
                throw new IllegalArgumentException("target row " + (row0 + b) + " has length " + row.length
                        + ", the input rows have " + T);
            }
            for (int t = 0; t < T; t++) {
                int tgt = row[t];
                int o = (b * T + t) * V;
                if (tgt == IGNORE) {
                    if (dscale != 0f) {
                        for (int i = 0; i < V; i++) {
                            lg.put(o + i, 0f);
                        }
                    }
                    continue;
                }
                if (tgt < 0 || tgt >= V) {
                    throw new IllegalArgumentException("target id " + tgt + " at row " + (row0 + b) + " position "
                            + t + " is outside GPTConfig.vocabSize=" + V + " (use -1 to ignore a position)");
                }
                float mx = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < V; i++) {
                    mx = Math.max(mx, lg.get(o + i));
                }
                float target = lg.get(o + tgt);
                double s = 0;
                for (int i = 0; i < V; i++) {
                    float e = (float) Math.exp(lg.get(o + i) - mx);
                    if (dscale != 0f) {
                        lg.put(o + i, e); // kept for the gradient: one exp per logit, not two
                    }
                    s += e;
                }
                double logZ = mx + Math.log(s);
                total += logZ - target;
                if (dscale != 0f) {
                    float inv = (float) (1.0 / s);
                    for (int i = 0; i < V; i++) {
                        lg.put(o + i, (lg.get(o + i) * inv - (i == tgt ? 1f : 0f)) * dscale);
                    }
                }
            }
        }
        return total;
    }
}
