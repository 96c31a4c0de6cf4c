package io.sparkgpt.model.posttrain;

import io.sparkgpt.model.GPT;
import io.sparkgpt.tokenizer.chat.ChatTemplate;
import io.sparkgpt.tokenizer.chat.PreferencePair;

/**
 * Scores the two answers of a preference pair; pairwise accuracy is the share of pairs where the chosen answer
 * scores higher. {@link #logProb} is the default scorer (the policy's summed log-probability of the answer tokens,
 * as DPO's implicit reward uses); a reward model plugs in as another implementation.
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
