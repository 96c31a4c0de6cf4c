package io.sparkgpt.model.infer;

import io.sparkgpt.model.Rng;
import io.sparkgpt.model.Sampler;
import java.util.Arrays;
import java.util.List;

/**
 * {@link Sampler}'s generation on an {@link InferenceModel} (int8 or pruned models, which have no {@code GPT}): the
 * same options and the same draw ({@link Sampler#pick}), the KV cache of a {@link Session}. The context must fit the
 * model's blockSize (prompt + new tokens); generation stops there.
 */
public final class InferSampler {
    private InferSampler() {}

    /** Generates after {@code prompt} (non-empty); returns only the new tokens. */
    public static int[] generate(InferenceModel m, int[] prompt, Sampler.Options o) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("prompt is empty (start with the EOT id for unconditional sampling)");
        }
        int maxT = m.shape().blockSize();
        int[] ctx = prompt.length > maxT ? Arrays.copyOfRange(prompt, prompt.length - maxT, prompt.length) : prompt;
        Rng rng = new Rng(o.seed());
        Session s = m.newSession();
        float[] logits = m.prefill(s, ctx);
        int[] out = new int[o.maxNewTokens()];
        int n = 0;
        while (n < o.maxNewTokens()) {
            int next = Sampler.pick(logits, o.temperature(), o.topK(), o.topP(), rng);
            out[n++] = next;
            if (next == o.stopToken() || s.full() || n == o.maxNewTokens()) {
                break;
            }
            logits = o.kvCache() ? m.step(List.of(s), new int[] {next})[0] : null;
            if (logits == null) {
                int[] all = Arrays.copyOf(ctx, ctx.length + n);
                System.arraycopy(out, 0, all, ctx.length, n);
                s = m.newSession();
                logits = m.prefill(s, all);
            }
        }
        return Arrays.copyOf(out, n);
    }
}
