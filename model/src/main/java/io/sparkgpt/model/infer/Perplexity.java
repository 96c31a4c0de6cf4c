package io.sparkgpt.model.infer;

/** Held-out cross-entropy of an {@link InferenceModel}: what compression is judged by. */
public final class Perplexity {
    private Perplexity() {}

    /**
     * Mean cross-entropy (nats per token) of {@code tokens} under {@code m}: non-overlapping windows of blockSize + 1
     * tokens (each window predicts its last blockSize tokens from the ones before), at most {@code maxWindows} of
     * them spread evenly over the text (0 = all). {@code exp} of it is the perplexity.
     */
    public static double meanLoss(InferenceModel m, int[] tokens, int maxWindows) {
        int T = m.shape().blockSize();
        int windows = (tokens.length - 1) / T;
        if (windows < 1) {
            throw new IllegalArgumentException("held-out text of " + tokens.length + " tokens is shorter than one "
                    + "window of " + (T + 1));
        }
        int use = maxWindows > 0 ? Math.min(maxWindows, windows) : windows;
        double sum = 0;
        long n = 0;
        for (int w = 0; w < use; w++) {
            int start = (int) ((long) w * windows / use) * T;
            int[] ctx = java.util.Arrays.copyOfRange(tokens, start, start + T);
            float[][] logits = m.logitsAll(ctx);
            for (int t = 0; t < T; t++) {
                sum += crossEntropy(logits[t], tokens[start + t + 1]);
                n++;
            }
        }
        return sum / n;
    }

    /** -log softmax(logits)[target], computed stably. */
    public static double crossEntropy(float[] logits, int target) {
        float mx = Float.NEGATIVE_INFINITY;
        for (float v : logits) {
            mx = Math.max(mx, v);
        }
        double s = 0;
        for (float v : logits) {
            s += Math.exp(v - mx);
        }
        return mx + Math.log(s) - logits[target];
    }
}
