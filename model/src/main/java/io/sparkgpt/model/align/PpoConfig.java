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
 */
public record PpoConfig(double klCoef, double gamma, double lambda, double clip, double valueClip, double valueCoef,
                        int epochs, int maxNewTokens, double temperature, int stopToken)
        implements java.io.Serializable {
    public PpoConfig {
        if (klCoef < 0 || !(gamma >= 0 && gamma <= 1) || !(lambda >= 0 && lambda <= 1) || !(clip > 0)
                || !(valueClip > 0) || valueCoef < 0 || epochs < 1 || maxNewTokens < 1 || !(temperature > 0)) {
            throw new IllegalArgumentException("PPO settings out of range: " + this);
        }
    }

    /** TRL's defaults: KL 0.2, gamma 1, lambda 0.95, clip 0.2, value clip 0.2, value weight 0.1, 4 epochs. */
    public static PpoConfig defaults(int maxNewTokens, int stopToken) {
        return new PpoConfig(0.2, 1.0, 0.95, 0.2, 0.2, 0.1, 4, maxNewTokens, 1.0, stopToken);
    }
}
