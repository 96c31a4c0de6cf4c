package io.sparkgpt.model.align;

import java.util.List;

/** Scores PPO's rollouts: a reward model, or a verifiable checker (the answer is right or not). */
@FunctionalInterface
public interface RewardSource extends java.io.Serializable {
    /** One scalar per rollout; {@code prompts.get(i)} and {@code responses.get(i)} are token ids. */
    double[] score(List<int[]> prompts, List<int[]> responses);

    /** A reward model's score of prompt + response (the last blockSize tokens if longer). */
    static RewardSource of(RewardModel rm) {
        return (prompts, responses) -> {
            List<int[]> seqs = new java.util.ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                int[] p = prompts.get(i), r = responses.get(i);
                int[] s = new int[p.length + r.length];
                System.arraycopy(p, 0, s, 0, p.length);
                System.arraycopy(r, 0, s, p.length, r.length);
                seqs.add(s);
            }
            return rm.scoresOfTails(seqs);
        };
    }
}
