package io.sparkgpt.model.align;

import io.sparkgpt.model.GPT;
import io.sparkgpt.model.Rng;
import io.sparkgpt.model.Sampler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * On-policy DPO pairs: {@code samples} answers per prompt drawn from the model that DPO starts from (its reference),
 * graded by a checker ({@link RewardSource}, 1 = right). A prompt with a wrong answer gives one pair (by default): a right answer
 * of the model's as chosen (the reference answer when none of its answers is right), its first wrong answer as
 * rejected. A prompt it always answers right gives no pair: nothing there to move. Why: the errors DPO should push
 * down are the ones this model makes, which hand-written rejected answers rarely match. Answer {@code k} of prompt
 * {@code i} draws from {@code Rng.mix(seed, i * samples + k)} with {@code i} the prompt's index in the whole list,
 * so the pairs do not depend on how the prompts are split between machines.
 * {@code index[i]} gives that index; {@code right} and {@code drawn} count the sampled answers.
 *
 * <p>Two choices widen or narrow what the preference term sees. {@code eachWrong}: one pair per distinct wrong
 * answer (each with the same chosen answer) instead of the first one only, so every error the model made is pushed
 * down, not one per prompt. {@code mixedOnly}: no pair from a prompt the model never answered right; there the
 * chosen answer is the reference (off-policy), and that pair teaches mostly what an SFT step on it would, while on a
 * prompt answered right only sometimes both answers are the model's own and their ranking is what is uncertain.
 */
public final class OnPolicyPairs {
    /** How answers are drawn: {@code samples} per prompt, at most {@code maxNewTokens}, at {@code temperature}. */
    public record Config(int samples, int maxNewTokens, double temperature, int stopToken, long seed,
                         boolean eachWrong, boolean mixedOnly) implements java.io.Serializable {
        /** The first wrong answer per prompt, prompts never answered right included. */
        public Config(int samples, int maxNewTokens, double temperature, int stopToken, long seed) {
            this(samples, maxNewTokens, temperature, stopToken, seed, false, false);
        }

        public Config {
            if (samples < 2) {
                throw new IllegalArgumentException("on-policy pairs need >= 2 samples per prompt: " + samples);
            }
            if (maxNewTokens < 1) {
                throw new IllegalArgumentException("maxNewTokens must be >= 1: " + maxNewTokens);
            }
            if (!(temperature > 0)) {
                throw new IllegalArgumentException("temperature must be > 0: " + temperature);
            }
        }
    }

    /**
     * The pairs and what the draws showed: prompts whose answers were all right (no pair), all wrong (chosen = the
     * reference answer), mixed; {@code rightShare} the share of all sampled answers that were right; {@code
     * pairCount} the pairs made (kept when {@link #withoutPairs()} drops the pairs themselves).
     */
    public record Result(List<PreferenceTokens> pairs, int allRight, int allWrong, int mixed, long right, long drawn,
                         int pairCount) implements java.io.Serializable {
        public double rightShare() {
            return drawn == 0 ? 0 : (double) right / drawn;
        }

        /** The counts alone. */
        public Result withoutPairs() {
            return new Result(List.of(), allRight, allWrong, mixed, right, drawn, pairCount);
        }
    }

    private OnPolicyPairs() {}

    /**
     * @param prompts   prompt ids (ending with the assistant header), with origins (file:line) for the pairs
     * @param reference each prompt's reference answer as response ids (ending with the stop token)
     * @param index     each prompt's index in the whole prompt list (its draws' seeds)
     */
    public static Result build(GPT model, List<String> origins, List<int[]> prompts, List<int[]> reference,
                               long[] index, RewardSource checker, Config c) {
        if (origins.size() != prompts.size() || reference.size() != prompts.size() || index.length != prompts.size()) {
            throw new IllegalArgumentException(prompts.size() + " prompts, " + origins.size() + " origins, "
                    + reference.size() + " reference answers");
        }
        List<PreferenceTokens> pairs = new ArrayList<>();
        int allRight = 0, allWrong = 0, mixed = 0;
        long right = 0;
        for (int i = 0; i < prompts.size(); i++) {
            int[] p = prompts.get(i);
            List<int[]> answers = new ArrayList<>(c.samples());
            for (int k = 0; k < c.samples(); k++) {
                Sampler.Options o = new Sampler.Options(c.maxNewTokens(), c.temperature(), 0, 1.0,
                        Rng.mix(c.seed(), index[i] * c.samples() + k), c.stopToken(), true);
                answers.add(Sampler.generate(model, p, o));
            }
            double[] score = checker.score(java.util.Collections.nCopies(answers.size(), p), answers);
            int[] chosen = null;
            List<int[]> rejected = new ArrayList<>();
            for (int k = 0; k < answers.size(); k++) {
                int[] a = answers.get(k);
                if (score[k] > 0.5) {
                    right++;
                    chosen = chosen == null ? a : chosen;
                } else if (a.length > 0 && (rejected.isEmpty() || c.eachWrong()
                        && rejected.stream().noneMatch(r -> Arrays.equals(r, a)))) {
                    rejected.add(a);
                }
            }
            if (rejected.isEmpty()) {
                allRight++;
                continue;
            }
            if (chosen == null) {
                allWrong++;
                if (c.mixedOnly()) {
                    continue;
                }
                chosen = reference.get(i);
            } else {
                mixed++;
            }
            for (int[] r : rejected) {
                pairs.add(new PreferenceTokens(origins.get(i), join(p, chosen), join(p, r)));
            }
        }
        return new Result(pairs, allRight, allWrong, mixed, right, (long) prompts.size() * c.samples(), pairs.size());
    }

    private static Sequence join(int[] prompt, int[] response) {
        int[] ids = Arrays.copyOf(prompt, prompt.length + response.length);
        System.arraycopy(response, 0, ids, prompt.length, response.length);
        return new Sequence(ids, prompt.length);
    }
}
