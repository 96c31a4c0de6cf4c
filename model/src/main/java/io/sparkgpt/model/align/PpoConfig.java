package io.sparkgpt.model.align;

/**
 * PPO's settings (TRL's names in brackets).
 *
 * @param klCoef        per-token KL penalty coefficient [init_kl_coef]
 * @param gamma         discount
 * @param lambda        GAE lambda [lam]
 * @param clip          clip range of the probability ratio [cliprange]
 * @param valueClip     clip range of the value change [cliprange_value]
 * @param valueCoef     weight of the value loss [vf_coef]
 * @param epochs        optimisation passes over each batch of rollouts [ppo_epochs]
 * @param maxNewTokens  response length limit
 * @param temperature   sampling temperature of the rollouts
 * @param stopToken     the id that ends a response (-1: none)
 * @param samplesPerPrompt responses sampled per prompt in a step [rloo_k, GRPO's group size]
 * @param baseline      what the advantage is measured against: the value head (GAE), or the other samples of
 *                      the same prompt (RLOO)
 * @param mixedGroupDraws 0: train on every group drawn. N >= 1 (group baseline only): drop groups whose samples
 *                      all score the same (their leave-one-out advantages are ~0: they teach nothing) and draw up
 *                      to N batches of prompts to fill the step with {@code batchSize} mixed groups (DAPO's
 *                      dynamic sampling, Yu et al. 2025)
 */
public record PpoConfig(double klCoef, double gamma, double lambda, double clip, double valueClip, double valueCoef,
                        int epochs, int maxNewTokens, double temperature, int stopToken, int samplesPerPrompt,
                        Baseline baseline, int mixedGroupDraws)
        implements java.io.Serializable {
    /** The advantage's baseline. */
    public enum Baseline {
        /** GAE on the value head's estimates (InstructGPT, TRL's PPOTrainer). */
        VALUE,
        /**
         * Leave-one-out: a sample's return (score minus its KL penalty) less the mean return of the prompt's other
         * samples, on every token of it (Ahmadian et al. 2024, TRL's RLOOTrainer); the value head is not trained.
         * A binary checker's reward says little about one sample against a value head that cannot tell an easy
         * prompt from a hard one; against its siblings it says which answer was better.
         */
        GROUP
    }

    public PpoConfig {
        if (klCoef < 0 || !(gamma >= 0 && gamma <= 1) || !(lambda >= 0 && lambda <= 1) || !(clip > 0)
                || !(valueClip > 0) || valueCoef < 0 || epochs < 1 || maxNewTokens < 1 || !(temperature > 0)
                || samplesPerPrompt < 1 || baseline == null || mixedGroupDraws < 0) {
            throw new IllegalArgumentException("PPO settings out of range: " + this);
        }
        if (baseline == Baseline.GROUP && samplesPerPrompt < 2) {
            throw new IllegalArgumentException("the group baseline needs at least 2 samples per prompt, got "
                    + samplesPerPrompt);
        }
        if (mixedGroupDraws > 0 && baseline != Baseline.GROUP) {
            throw new IllegalArgumentException("keeping mixed groups only needs the group baseline, got " + baseline);
        }
    }

    /** Every group drawn is trained on (no dynamic sampling). */
    public PpoConfig(double klCoef, double gamma, double lambda, double clip, double valueClip, double valueCoef,
                     int epochs, int maxNewTokens, double temperature, int stopToken, int samplesPerPrompt,
                     Baseline baseline) {
        this(klCoef, gamma, lambda, clip, valueClip, valueCoef, epochs, maxNewTokens, temperature, stopToken,
                samplesPerPrompt, baseline, 0);
    }

    /** One sample per prompt, the value head's baseline (the settings before the group baseline existed). */
    public PpoConfig(double klCoef, double gamma, double lambda, double clip, double valueClip, double valueCoef,
                     int epochs, int maxNewTokens, double temperature, int stopToken) {
        this(klCoef, gamma, lambda, clip, valueClip, valueCoef, epochs, maxNewTokens, temperature, stopToken, 1,
                Baseline.VALUE, 0);
    }

    /** TRL's defaults: KL 0.2, gamma 1, lambda 0.95, clip 0.2, value clip 0.2, value weight 0.1, 4 epochs. */
    public static PpoConfig defaults(int maxNewTokens, int stopToken) {
        return new PpoConfig(0.2, 1.0, 0.95, 0.2, 0.2, 0.1, 4, maxNewTokens, 1.0, stopToken);
    }
}
