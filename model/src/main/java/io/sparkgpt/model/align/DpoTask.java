package io.sparkgpt.model.align;

import io.sparkgpt.model.GPT;
import io.sparkgpt.model.LogitsLoss;
import io.sparkgpt.model.Rng;
import io.sparkgpt.model.TrainConfig;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DPO: the policy starts as the {@code --init} model and a frozen copy of it is the reference. The reference's
 * response log-probabilities are computed once per pair (they never change). Each step: the policy's sequence
 * log-probs without dropout give every pair its {@link DpoLoss} gradient, which reaches the model as one weight
 * per row on all its response tokens ({@link LogProbGrad}). Evaluation: held-out loss, preference accuracy of the
 * implicit reward, its mean margin, and the mean chosen and rejected log-probabilities (and their gap), each with
 * its mean change from the reference.
 */
public final class DpoTask implements AlignTask {
    private final GPT policy;
    private final TrainConfig tc;
    private final double beta;
    private final List<PreferenceTokens> train;
    private final List<PreferenceTokens> val;
    private final double[][] refTrain; // [pair] {chosen, rejected}
    private final double[][] refVal;

    public DpoTask(GPT policy, GPT reference, TrainConfig tc, double beta, List<PreferenceTokens> train,
                   List<PreferenceTokens> val) {
        if (!(beta > 0)) {
            throw new IllegalArgumentException("--beta must be > 0: " + beta);
        }
        this.policy = policy;
        this.tc = tc;
        this.beta = beta;
        this.train = List.copyOf(train);
        this.val = List.copyOf(val);
        this.refTrain = sequenceLogProbs(reference, this.train);
        this.refVal = sequenceLogProbs(reference, this.val);
    }

    @Override
    public String kind() {
        return "dpo";
    }

    @Override
    public GPT model() {
        return policy;
    }

    /** Sum of log p over the response tokens of each pair's chosen and rejected sequence, without dropout. */
    public static double[][] sequenceLogProbs(GPT gpt, List<PreferenceTokens> pairs) {
        double[][] out = new double[pairs.size()][2];
        int chunk = 16;
        for (int s = 0; s < pairs.size(); s += chunk) {
            List<Sequence> seqs = new ArrayList<>();
            for (PreferenceTokens p : pairs.subList(s, Math.min(pairs.size(), s + chunk))) {
                seqs.add(p.chosen());
                seqs.add(p.rejected());
            }
            double[] lp = responseLogProbs(gpt, seqs);
            for (int i = 0; i < seqs.size(); i++) {
                out[s + i / 2][i % 2] = lp[i];
            }
        }
        return out;
    }

    /** Sum of log p over the response tokens of each sequence, without dropout; no state changes. */
    public static double[] responseLogProbs(GPT gpt, List<Sequence> seqs) {
        Padded p = Padded.nextToken(seqs);
        float[][] lp = gpt.tokenLogProbs(p.x(), p.y());
        double[] out = new double[seqs.size()];
        for (int b = 0; b < seqs.size(); b++) {
            double s = 0;
            for (int t = 0; t < p.T(); t++) {
                if (p.y()[b][t] >= 0) {
                    s += lp[b][t];
                }
            }
            out[b] = s;
        }
        return out;
    }

    @Override
    public Map<String, Object> step(long step, double lr) {
        int[] idx = Batches.permutationSlice(train.size(), tc.batchSize(), Rng.mix(tc.seed(), 13), step);
        List<PreferenceTokens> batch = new ArrayList<>();
        double[][] ref = new double[idx.length][];
        for (int k = 0; k < idx.length; k++) {
            batch.add(train.get(idx[k]));
            ref[k] = refTrain[idx[k]];
        }
        return step(policy, batch, ref, beta, lr, tc);
    }

    /**
     * One DPO optimizer step of {@code policy} on {@code batch} whose reference log-probs are {@code ref[k] =
     * {chosen, rejected}}; returns the batch's loss, accuracy and margin (before the update). Used on one machine
     * and by the workers of the distributed job.
     */
    public static Map<String, Object> step(GPT policy, List<PreferenceTokens> batch, double[][] ref, double beta,
                                           double lr, TrainConfig tc) {
        return step(policy, batch, ref, beta, 0, lr, tc);
    }

    /**
     * As {@link #step(GPT, List, double[][], double, double, TrainConfig)} with {@code sftWeight} times the chosen
     * answers' NLL per token added to the loss ({@link DpoLoss}, RPO); 0 is plain DPO.
     */
    public static Map<String, Object> step(GPT policy, List<PreferenceTokens> batch, double[][] ref, double beta,
                                           double sftWeight, double lr, TrainConfig tc) {
        int n = batch.size();
        List<Sequence> seqs = new ArrayList<>(2 * n);
        for (PreferenceTokens p : batch) {
            seqs.add(p.chosen());
            seqs.add(p.rejected());
        }
        double[] pol = responseLogProbs(policy, seqs);
        double[] w = new double[2 * n];
        double loss = 0, margin = 0;
        int correct = 0;
        for (int k = 0; k < n; k++) {
            DpoLoss.Result r = DpoLoss.of(pol[2 * k], pol[2 * k + 1], ref[k][0], ref[k][1], beta, sftWeight,
                    batch.get(k).chosen().responseLength());
            loss += r.loss();
            margin += r.margin();
            correct += r.correct() ? 1 : 0;
            w[2 * k] = r.dChosen() / n;
            w[2 * k + 1] = r.dRejected() / n;
        }
        Padded p = Padded.nextToken(seqs);
        policy.gradient(p.x(), weightedLogProbs(p.y(), w), tc);
        policy.update(lr, tc);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loss", loss / n);
        m.put("accuracy", (double) correct / n);
        m.put("margin", margin / n);
        m.put("grad_norm", policy.lastGradNorm());
        return m;
    }

    /** {@code sum_b w[b] * sum_t log p(y[b][t])} over the positions with a target: its gradient, in place. */
    public static LogitsLoss weightedLogProbs(int[][] y, double[] w) {
        return (row0, mb) -> {
            FloatBuffer lg = mb.logits();
            int T = mb.T(), V = mb.V();
            double total = 0;
            for (int b = 0; b < mb.rows(); b++) {
                int row = row0 + b;
                for (int t = 0; t < T; t++) {
                    int off = (b * T + t) * V;
                    int tgt = y[row][t];
                    if (tgt < 0) {
                        LogProbGrad.zero(lg, off, V);
                    } else {
                        total += w[row] * LogProbGrad.writeGrad(lg, off, V, tgt, w[row]);
                    }
                }
            }
            return total;
        };
    }

    @Override
    public Map<String, Object> evaluate() {
        return evaluate(policy, val, refVal, beta);
    }

    /** Held-out DPO figures of {@code policy} on {@code pairs} with reference log-probs {@code ref}. */
    public static Map<String, Object> evaluate(GPT policy, List<PreferenceTokens> pairs, double[][] ref,
                                               double beta) {
        double[][] pol = sequenceLogProbs(policy, pairs);
        double loss = 0, margin = 0, lc = 0, lr = 0, dc = 0, dr = 0;
        int correct = 0;
        for (int i = 0; i < pairs.size(); i++) {
            DpoLoss.Result r = DpoLoss.of(pol[i][0], pol[i][1], ref[i][0], ref[i][1], beta);
            loss += r.loss();
            margin += r.margin();
            correct += r.correct() ? 1 : 0;
            lc += pol[i][0];
            lr += pol[i][1];
            dc += pol[i][0] - ref[i][0];
            dr += pol[i][1] - ref[i][1];
        }
        int n = Math.max(1, pairs.size());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("val_loss", loss / n);
        m.put("val_accuracy", (double) correct / n);
        m.put("val_reward_margin", margin / n);
        m.put("val_logp_chosen", lc / n);
        m.put("val_logp_rejected", lr / n);
        m.put("val_logp_margin", (lc - lr) / n);
        // each side's own move from the reference: whether a wider margin came from raising the chosen answer or
        // from lowering the rejected one (the margin alone cannot tell DPO's push-down from an SFT term's pull-up)
        m.put("val_dlogp_chosen", dc / n);
        m.put("val_dlogp_rejected", dr / n);
        m.put("val_pairs", pairs.size());
        return m;
    }

    @Override
    public Map<String, String> state() {
        return Map.of("dpo.beta", Double.toString(beta));
    }

    @Override
    public void restore(Map<String, String> meta, String name) {
        String b = meta.get("dpo.beta");
        if (b != null && Double.parseDouble(b) != beta) {
            throw new IllegalArgumentException(name + " was written with beta " + b + ", this run has " + beta);
        }
    }
}
