package io.sparkgpt.model.posttrain;

import io.sparkgpt.model.GPT;
import io.sparkgpt.model.align.RewardModel;
import io.sparkgpt.tokenizer.chat.ChatTemplate;
import io.sparkgpt.tokenizer.chat.PreferencePair;

/**
 * Scores the two answers of a preference pair; pairwise accuracy is the share of pairs where the chosen answer
 * scores higher. {@link #logProb} is the default scorer (the policy's summed log-probability of the answer tokens,
 * as DPO's implicit reward uses); {@link #implicitReward} is DPO's implicit reward against a reference model,
 * {@link #reward} a reward model's scalar.
 */
@FunctionalInterface
public interface PairwiseScorer {
    /** {chosen score, rejected score}. */
    double[] score(PreferencePair pair);

    /** Summed log p(answer tokens | prompt) of each continuation under {@code gpt}, truncated to its context. */
    static PairwiseScorer logProb(GPT gpt, ChatTemplate template) {
        return pair -> new double[] {sum(gpt, template.render(pair.chosenExample())),
            sum(gpt, template.render(pair.rejectedExample()))};
    }

    /**
     * DPO's implicit reward {@code log pi(answer) - log pi_ref(answer)} of each continuation (beta scales both sides
     * alike, so it does not change which one wins and is left out).
     */
    static PairwiseScorer implicitReward(GPT policy, GPT reference, ChatTemplate template) {
        PairwiseScorer p = logProb(policy, template);
        PairwiseScorer r = logProb(reference, template);
        return pair -> {
            double[] a = p.score(pair);
            double[] b = r.score(pair);
            return new double[] {a[0] - b[0], a[1] - b[1]};
        };
    }

    /** A reward model's scalar at the last token of prompt + answer, rendered as in training (tail kept if long). */
    static PairwiseScorer reward(RewardModel rm, ChatTemplate template) {
        return pair -> rm.scoresOfTails(java.util.List.of(template.render(pair.chosenExample()).ids(),
                template.render(pair.rejectedExample()).ids()));
    }

    private static double sum(GPT gpt, ChatTemplate.Rendered r) {
        int n = Math.min(r.ids().length, gpt.config().blockSize() + 1);
        SftRow row = SftData.row("pair", java.util.Arrays.copyOf(r.ids(), n), java.util.Arrays.copyOf(r.target(), n));
        float[][] lp = gpt.tokenLogProbs(new int[][] {row.x()}, new int[][] {row.y()});
        double s = 0;
        for (float v : lp[0]) {
            s += v;
        }
        return s;
    }
}
