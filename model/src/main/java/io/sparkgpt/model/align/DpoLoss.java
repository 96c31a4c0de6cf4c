package io.sparkgpt.model.align;

/**
 * Direct Preference Optimisation (Rafailov et al. 2023, eq. 7) on one preference pair:
 * {@code loss = -log sigmoid(beta * ((pi_c - ref_c) - (pi_r - ref_r)))}, where each term is a sequence log-probability
 * summed over the response tokens only. The gradient is returned with respect to the two policy sums; since
 * {@code d(sum_t log p_t)/dlogits_t = onehot(y_t) - softmax(logits_t)}, it reaches the model as the same weight on
 * every response token of the row ({@link LogProbGrad}). The reference model is frozen: no gradient for it.
 *
 * <p>With an SFT weight {@code alpha > 0} (RPO, Pang et al. 2024): {@code + alpha * (-pi_c / |y_c|)}, the chosen
 * answer's mean negative log-likelihood per token. Plain DPO only widens the margin and may do so by lowering both
 * answers' likelihood (the chosen one too); the NLL term keeps the chosen answer likely while the margin grows.
 */
public final class DpoLoss {

    /**
     * @param loss           the pair's loss
     * @param dChosen        dLoss/d(pi_c) = {@code -beta * sigmoid(-z)}
     * @param dRejected      dLoss/d(pi_r) = {@code +beta * sigmoid(-z)}
     * @param rewardChosen   the implicit reward {@code beta * (pi_c - ref_c)}
     * @param rewardRejected {@code beta * (pi_r - ref_r)}
     * @param correct        {@code rewardChosen > rewardRejected} (preference accuracy)
     */
    public record Result(double loss, double dChosen, double dRejected, double rewardChosen, double rewardRejected,
                         boolean correct) {
        public double margin() {
            return rewardChosen - rewardRejected;
        }
    }

    private DpoLoss() {}

    /** Plain DPO (no SFT term). */
    public static Result of(double policyChosen, double policyRejected, double refChosen, double refRejected,
                            double beta) {
        return of(policyChosen, policyRejected, refChosen, refRejected, beta, 0, 1);
    }

    /**
     * DPO plus {@code sftWeight} times the chosen answer's NLL per token ({@code chosenTokens} response tokens);
     * {@code dChosen} then includes {@code -sftWeight / chosenTokens}.
     */
    public static Result of(double policyChosen, double policyRejected, double refChosen, double refRejected,
                            double beta, double sftWeight, int chosenTokens) {
        if (!(beta > 0)) {
            throw new IllegalArgumentException("DPO beta must be > 0: " + beta);
        }
        if (!(sftWeight >= 0)) {
            throw new IllegalArgumentException("DPO sft weight must be >= 0: " + sftWeight);
        }
        if (chosenTokens < 1) {
            throw new IllegalArgumentException("the chosen answer needs >= 1 token: " + chosenTokens);
        }
        double rc = beta * (policyChosen - refChosen);
        double rr = beta * (policyRejected - refRejected);
        double z = rc - rr;
        double s = PairwiseLoss.sigmoid(-z);
        double nll = -policyChosen / chosenTokens;
        return new Result(PairwiseLoss.softplus(-z) + sftWeight * nll, -beta * s - sftWeight / chosenTokens,
                beta * s, rc, rr, z > 0);
    }
}
