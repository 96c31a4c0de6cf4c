package io.sparkgpt.model.align;

/**
 * The reward model's pairwise (Bradley-Terry) loss {@code -log sigmoid(r_chosen - r_rejected)} and its gradient
 * with respect to the two scalar rewards (InstructGPT, eq. 1).
 */
public final class PairwiseLoss {

    /**
     * @param loss      {@code -log sigmoid(rChosen - rRejected)}
     * @param dChosen   dLoss/dr_chosen = {@code sigmoid(d) - 1} (negative: raising the chosen reward lowers the loss)
     * @param dRejected dLoss/dr_rejected = {@code 1 - sigmoid(d)}
     * @param correct   {@code rChosen > rRejected} (a tie counts as wrong)
     */
    public record Result(double loss, double dChosen, double dRejected, boolean correct) {}

    private PairwiseLoss() {}

    public static Result of(double rChosen, double rRejected) {
        double d = rChosen - rRejected;
        double s = sigmoid(d);
        return new Result(softplus(-d), s - 1, 1 - s, d > 0);
    }

    /** {@code log(1 + e^x)} without overflow for large |x|. */
    static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    static double sigmoid(double x) {
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }
}
