package io.sparkgpt.model.align;

import io.sparkgpt.model.GPT;
import io.sparkgpt.model.LogitsLoss;
import io.sparkgpt.model.TrainConfig;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A reward model: the GPT trunk and a {@link ScalarHead} read at the last token of a sequence (InstructGPT's RM).
 * The LM head is left untouched (zero gradient). Trained on preference pairs with {@link PairwiseLoss}.
 */
public final class RewardModel implements AutoCloseable {
    /** The checkpoint metadata key that holds the head ({@link ScalarHead#encode()}). */
    public static final String HEAD_KEY = "reward.head";

    private final GPT trunk;
    private final ScalarHead head;

    public RewardModel(GPT trunk, ScalarHead head) {
        if (head.width() != trunk.config().nEmbd()) {
            throw new IllegalArgumentException("head width " + head.width() + " != trunk nEmbd "
                    + trunk.config().nEmbd());
        }
        this.trunk = trunk;
        this.head = head;
    }

    public GPT trunk() {
        return trunk;
    }

    public ScalarHead head() {
        return head;
    }

    /** The scalar reward of each sequence (1..blockSize ids), without dropout; no state changes. */
    public double[] scores(List<int[]> seqs) {
        double[] out = new double[seqs.size()];
        int chunk = 16;
        for (int s = 0; s < seqs.size(); s += chunk) {
            List<int[]> part = seqs.subList(s, Math.min(seqs.size(), s + chunk));
            Padded p = Padded.whole(part);
            int base = s;
            trunk.forwardInference(p.x(), (row0, mb) -> {
                int T = mb.T(), C = mb.C();
                for (int b = 0; b < mb.rows(); b++) {
                    int r = row0 + b;
                    out[base + r] = head.score(mb.hidden(), (b * T + p.last()[r]) * C);
                }
                return 0;
            });
        }
        return out;
    }

    /**
     * {@link #scores} of sequences of any length: one longer than the context is read from its last
     * {@code blockSize} tokens (the reward sits at the last token, so the end is what must be kept).
     */
    public double[] scoresOfTails(List<int[]> seqs) {
        int maxT = trunk.config().blockSize();
        List<int[]> cut = new ArrayList<>(seqs.size());
        for (int[] s : seqs) {
            cut.add(s.length <= maxT ? s : java.util.Arrays.copyOfRange(s, s.length - maxT, s.length));
        }
        return scores(cut);
    }

    /** Outcome of one {@link #gradient} call: mean pairwise loss and accuracy over the batch (before the update). */
    public record StepResult(double loss, double accuracy) {}

    /**
     * The gradient of the mean pairwise loss over {@code pairs} into the trunk's and the head's gradient buffers (no
     * update: call {@link #update}). Two passes: scores without dropout give each sequence its dLoss/dr (a pair's two
     * rows may fall into different micro-batches), then the trunk's backward carries {@code dr * w} from the last
     * token's hidden state. With dropout 0 (the fine-tuning default) this is the exact gradient.
     */
    public StepResult gradient(List<PreferenceTokens> pairs, TrainConfig tc) {
        List<int[]> seqs = new ArrayList<>(2 * pairs.size());
        for (PreferenceTokens p : pairs) {
            seqs.add(p.chosen().ids());
            seqs.add(p.rejected().ids());
        }
        double[] r = scores(seqs);
        double[] dr = new double[seqs.size()];
        double loss = 0;
        int correct = 0;
        int n = pairs.size();
        for (int i = 0; i < n; i++) {
            PairwiseLoss.Result res = PairwiseLoss.of(r[2 * i], r[2 * i + 1]);
            loss += res.loss();
            correct += res.correct() ? 1 : 0;
            dr[2 * i] = res.dChosen() / n;
            dr[2 * i + 1] = res.dRejected() / n;
        }
        Padded p = Padded.whole(seqs);
        int C = trunk.config().nEmbd();
        double[][] rowGrad = new double[seqs.size()][C + 1];
        LogitsLoss lastTokenHead = (row0, mb) -> {
            FloatBuffer lg = mb.logits();
            int T = mb.T(), V = mb.V();
            for (int i = 0; i < mb.rows() * T * V; i++) {
                lg.put(i, 0f); // the LM head takes no part in the reward
            }
            for (int b = 0; b < mb.rows(); b++) {
                int row = row0 + b;
                int off = (b * T + p.last()[row]) * C;
                head.backward(mb.hidden(), off, dr[row], mb.hiddenGrad(), rowGrad[row]);
            }
            return 0;
        };
        trunk.gradient(p.x(), lastTokenHead, tc);
        head.zeroGrad();
        for (double[] g : rowGrad) {
            head.addGrad(g); // in row order: the same sum whatever the threads did
        }
        return new StepResult(loss / n, (double) correct / n);
    }

    /** AdamW on the trunk ({@code tc}'s clipping and decay) and on the head (same lr and betas). */
    public void update(double lr, TrainConfig tc) {
        trunk.update(lr, tc);
        head.update(lr, tc.beta1(), tc.beta2(), tc.eps());
    }

    @Override
    public void close() {
        trunk.close();
    }
}
