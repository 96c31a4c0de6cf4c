package io.sparkgpt.model.align;

import io.sparkgpt.model.GPT;
import io.sparkgpt.model.Rng;
import io.sparkgpt.model.Sampler;
import java.util.ArrayList;
import java.util.List;

/**
 * PPO's rollouts: one response per prompt from the policy ({@link Sampler} with the KV cache). Rollout {@code k}
 * draws from {@code Rng.mix(seed, k)}, so any machine that holds the same parameters generates the same responses:
 * the driver and the executors give one result.
 */
public final class Rollouts {
    private Rollouts() {}

    public static List<int[]> generate(GPT policy, List<int[]> prompts, PpoConfig c, long seed, long firstIndex) {
        List<int[]> out = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            Sampler.Options o = new Sampler.Options(c.maxNewTokens(), c.temperature(), 0, 1.0,
                    Rng.mix(seed, firstIndex + i), c.stopToken(), true);
            out.add(Sampler.generate(policy, prompts.get(i), o));
        }
        return out;
    }
}
