package io.sparkgpt.trainer.batch;

import io.sparkgpt.model.Rng;
import io.sparkgpt.model.Sampler;
import io.sparkgpt.model.infer.InferenceModel;
import io.sparkgpt.model.infer.Session;
import io.sparkgpt.trainer.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Completions of several prompts at once on one {@link InferenceModel}: each prompt is prefilled into its own KV-cache
 * {@link Session}, then every unfinished sequence advances by one token per {@link InferenceModel#step} (one product
 * per layer for all of them). Each row draws from its own {@link Rng} seeded by (seed, row), so a row's completion
 * does not depend on which other rows share its batch or its partition.
 */
public final class BatchDecoder {
    private BatchDecoder() {}

    /** The random stream of one row: a function of the job's seed and the row's index only. */
    public static long rowSeed(long seed, long row) {
        return Seeds.mix(Seeds.mix(seed) + row + 0x9e3779b97f4a7c15L);
    }

    /**
     * Generates after each of {@code prompts} (non-empty, shorter than blockSize); returns only the new tokens, in
     * order. Generation stops at {@code o.stopToken()}, {@code o.maxNewTokens()} or the end of the context.
     */
    public static int[][] generate(InferenceModel m, List<int[]> prompts, long[] rows, Sampler.Options o) {
        int B = prompts.size();
        Session[] s = new Session[B];
        Rng[] rng = new Rng[B];
        float[][] logits = new float[B][];
        int[][] out = new int[B][o.maxNewTokens()];
        int[] n = new int[B];
        boolean[] done = new boolean[B];
        for (int i = 0; i < B; i++) {
            s[i] = m.newSession();
            rng[i] = new Rng(rowSeed(o.seed(), rows[i]));
            logits[i] = m.prefill(s[i], prompts.get(i));
            done[i] = o.maxNewTokens() == 0;
        }
        while (true) {
            List<Session> live = new ArrayList<>();
            List<Integer> idx = new ArrayList<>();
            for (int i = 0; i < B; i++) {
                if (done[i]) {
                    continue;
                }
                int next = Sampler.pick(logits[i], o.temperature(), o.topK(), o.topP(), rng[i]);
                out[i][n[i]++] = next;
                if (next == o.stopToken() || n[i] == o.maxNewTokens() || s[i].full()) {
                    done[i] = true;
                } else {
                    live.add(s[i]);
                    idx.add(i);
                }
            }
            if (live.isEmpty()) {
                break;
            }
            int[] feed = new int[live.size()];
            for (int j = 0; j < feed.length; j++) {
                int i = idx.get(j);
                feed[j] = out[i][n[i] - 1];
            }
            float[][] next = m.step(live, feed);
            for (int j = 0; j < feed.length; j++) {
                logits[idx.get(j)] = next[j];
            }
        }
        int[][] res = new int[B][];
        for (int i = 0; i < B; i++) {
            res[i] = Arrays.copyOf(out[i], n[i]);
        }
        return res;
    }
}
