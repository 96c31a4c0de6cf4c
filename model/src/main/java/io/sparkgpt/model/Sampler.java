package io.sparkgpt.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Text generation (nanoGPT's {@code generate} + nanochat's engine): temperature, top-k, top-p (nucleus), a seed,
 * stop at an end-of-text id, with a KV cache ({@link KvCache}) or without (a full forward pass per token, for
 * comparison). The context is cropped to the last blockSize tokens, as in nanoGPT.
 */
public final class Sampler {

    /**
     * @param maxNewTokens tokens to generate at most
     * @param temperature  0 = greedy (argmax); otherwise logits are divided by it
     * @param topK         keep only the k most likely tokens (0 = all)
     * @param topP         keep the smallest set of most likely tokens whose probability reaches p (1 = all)
     * @param seed         seed of the draws
     * @param stopToken    stop after emitting this id (e.g. the EOT id); -1 = never
     * @param kvCache      use the KV cache
     */
    public record Options(int maxNewTokens, double temperature, int topK, double topP, long seed, int stopToken,
                          boolean kvCache) {
        public Options {
            if (maxNewTokens < 0) {
                throw new IllegalArgumentException("maxNewTokens must be >= 0: " + maxNewTokens);
            }
            if (temperature < 0) {
                throw new IllegalArgumentException("temperature must be >= 0: " + temperature);
            }
            if (topK < 0) {
                throw new IllegalArgumentException("topK must be >= 0: " + topK);
            }
            if (!(topP > 0 && topP <= 1)) {
                throw new IllegalArgumentException("topP must be in (0, 1]: " + topP);
            }
        }
    }

    private Sampler() {}

    /** Generates after {@code prompt} (non-empty); returns only the new tokens. */
    public static int[] generate(GPT gpt, int[] prompt, Options o) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("prompt is empty (start with the EOT id for unconditional sampling)");
        }
        int maxT = gpt.config().blockSize();
        Rng rng = new Rng(o.seed());
        List<Integer> ctx = new ArrayList<>();
        for (int t : prompt) {
            ctx.add(t);
        }
        int[] out = new int[o.maxNewTokens()];
        int n = 0;
        KvCache cache = o.kvCache() ? gpt.kvCache() : null;
        try {
            float[] logits = null;
            if (cache != null && ctx.size() <= maxT) {
                for (int t : prompt) {
                    logits = cache.next(t);
                }
            }
            while (n < o.maxNewTokens()) {
                if (logits == null) {
                    logits = gpt.logits(tail(ctx, maxT));
                }
                int next = pick(logits, o.temperature(), o.topK(), o.topP(), rng);
                out[n++] = next;
                ctx.add(next);
                if (next == o.stopToken()) {
                    break;
                }
                logits = (cache != null && !cache.full() && ctx.size() <= maxT) ? cache.next(next) : null;
            }
        } finally {
            if (cache != null) {
                cache.close();
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static int[] tail(List<Integer> ctx, int maxT) {
        int from = Math.max(0, ctx.size() - maxT);
        return ctx.subList(from, ctx.size()).stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Draws one id from {@code logits}: temperature, then top-k (ties broken by lower id), then top-p over what is
     * left; excluded ids have probability exactly zero.
     */
    public static int pick(float[] logits, double temperature, int topK, double topP, Rng rng) {
        int V = logits.length;
        Integer[] order = new Integer[V];
        for (int i = 0; i < V; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int c = Float.compare(logits[b], logits[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        if (temperature == 0) {
            return order[0];
        }
        int keep = topK > 0 ? Math.min(topK, V) : V;
        double mx = logits[order[0]] / temperature;
        double[] pr = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            pr[i] = Math.exp(logits[order[i]] / temperature - mx);
            sum += pr[i];
        }
        if (topP < 1) {
            double cum = 0;
            int k2 = 0;
            while (k2 < keep) {
                cum += pr[k2] / sum;
                k2++;
                if (cum >= topP) {
                    break;
                }
            }
            keep = k2;
            sum = 0;
            for (int i = 0; i < keep; i++) {
                sum += pr[i];
            }
        }
        double u = rng.nextDouble() * sum;
        double acc = 0;
        for (int i = 0; i < keep; i++) {
            acc += pr[i];
            if (u < acc) {
                return order[i];
            }
        }
        return order[keep - 1];
    }
}
