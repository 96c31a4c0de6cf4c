package io.sparkgpt.model;

import static org.junit.jupiter.api.Assertions.*;

import io.sparkgpt.model.align.DpoLoss;
import io.sparkgpt.model.align.DpoTask;
import io.sparkgpt.model.align.Padded;
import io.sparkgpt.model.align.PairwiseLoss;
import io.sparkgpt.model.align.PreferenceTokens;
import io.sparkgpt.model.align.RewardModel;
import io.sparkgpt.model.align.ScalarHead;
import io.sparkgpt.model.align.Sequence;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The reward model's and DPO's gradients through the whole trunk against finite differences (in this package for
 * {@link GPT#gradientCopy}).
 */
class AlignGradientTest {

    static GPT noisyModel(long seed) {
        GPTConfig c = new GPTConfig(11, 8, 2, 2, 6, 0.0, true, true);
        GPT g = GPT.create(c, seed);
        float[] p = g.params();
        Rng r = new Rng(seed + 100);
        for (int i = 0; i < p.length; i++) {
            p[i] += (float) (r.nextGaussian() * 0.3); // visible gradients on every path
        }
        g.setParams(p);
        return g;
    }

    static List<PreferenceTokens> pairs(int n, long seed) {
        Rng r = new Rng(seed);
        List<PreferenceTokens> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int prompt = 2 + r.nextInt(2);
            out.add(new PreferenceTokens("t:" + i, seq(r, prompt, 2 + r.nextInt(3)), seq(r, prompt, 1 + r.nextInt(4))));
        }
        return out;
    }

    static Sequence seq(Rng r, int prompt, int response) {
        int[] ids = new int[prompt + response];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.nextInt(11);
        }
        return new Sequence(ids, prompt);
    }

    static double rewardLoss(RewardModel rm, List<PreferenceTokens> pairs) {
        List<int[]> seqs = new ArrayList<>();
        for (PreferenceTokens p : pairs) {
            seqs.add(p.chosen().ids());
            seqs.add(p.rejected().ids());
        }
        double[] r = rm.scores(seqs);
        double s = 0;
        for (int i = 0; i < pairs.size(); i++) {
            s += PairwiseLoss.of(r[2 * i], r[2 * i + 1]).loss();
        }
        return s / pairs.size();
    }

    @Test
    void rewardModelGradientMatchesFiniteDifferences() {
        List<PreferenceTokens> pairs = pairs(3, 1);
        TrainConfig tc = TrainConfig.defaults().withBatch(2, 3); // micro-batches of 2 rows: pairs split across them
        try (GPT g = noisyModel(5)) {
            RewardModel rm = new RewardModel(g, ScalarHead.create(6, 2));
            RewardModel.StepResult res = rm.gradient(pairs, tc);
            assertEquals(rewardLoss(rm, pairs), res.loss(), 1e-6);
            float[] an = g.gradientCopy();
            double[] head = rm.head().gradient();
            float[] p = g.params();
            float eps = 1e-2f;
            int checked = 0;
            for (int i = 0; i < p.length; i += Math.max(1, p.length / 120)) {
                float[] q = p.clone();
                q[i] = p[i] + eps;
                g.setParams(q);
                double lp = rewardLoss(rm, pairs);
                q[i] = p[i] - eps;
                g.setParams(q);
                double lm = rewardLoss(rm, pairs);
                double fd = (lp - lm) / (2 * eps);
                assertTrue(Math.abs(fd - an[i]) <= 2e-3 + 3e-2 * Math.abs(fd),
                        "trunk param " + i + " " + g.tensorNames() + ": analytic " + an[i] + " fd " + fd);
                checked++;
            }
            g.setParams(p);
            assertTrue(checked > 80);
            float[] hp = rm.head().params();
            for (int i = 0; i < hp.length; i++) {
                float[] q = hp.clone();
                q[i] = hp[i] + eps;
                rm.head().setParams(q);
                double lp = rewardLoss(rm, pairs);
                q[i] = hp[i] - eps;
                rm.head().setParams(q);
                double lm = rewardLoss(rm, pairs);
                double fd = (lp - lm) / (2 * eps);
                assertEquals(fd, head[i], 2e-3 + 3e-2 * Math.abs(fd), "head param " + i);
            }
            rm.head().setParams(hp);
        }
    }

    static double dpoLoss(GPT policy, List<PreferenceTokens> pairs, double[][] ref, double beta) {
        double s = 0;
        for (int i = 0; i < pairs.size(); i++) {
            double[] lp = DpoTask.responseLogProbs(policy, List.of(pairs.get(i).chosen(), pairs.get(i).rejected()));
            s += DpoLoss.of(lp[0], lp[1], ref[i][0], ref[i][1], beta).loss();
        }
        return s / pairs.size();
    }

    @Test
    void dpoGradientThroughTheTrunkMatchesFiniteDifferences() {
        List<PreferenceTokens> pairs = pairs(3, 7);
        double beta = 0.5;
        double[][] ref = new double[pairs.size()][];
        try (GPT refModel = noisyModel(9)) {
            for (int i = 0; i < pairs.size(); i++) {
                ref[i] = DpoTask.responseLogProbs(refModel, List.of(pairs.get(i).chosen(), pairs.get(i).rejected()));
            }
        }
        TrainConfig tc = TrainConfig.defaults().withBatch(4, 1);
        try (GPT g = noisyModel(5)) {
            List<Sequence> seqs = new ArrayList<>();
            for (PreferenceTokens p : pairs) {
                seqs.add(p.chosen());
                seqs.add(p.rejected());
            }
            double[] pol = DpoTask.responseLogProbs(g, seqs);
            double[] w = new double[seqs.size()];
            for (int i = 0; i < pairs.size(); i++) {
                DpoLoss.Result r = DpoLoss.of(pol[2 * i], pol[2 * i + 1], ref[i][0], ref[i][1], beta);
                w[2 * i] = r.dChosen() / pairs.size();
                w[2 * i + 1] = r.dRejected() / pairs.size();
            }
            Padded pad = Padded.nextToken(seqs);
            g.gradient(pad.x(), DpoTask.weightedLogProbs(pad.y(), w), tc);
            float[] an = g.gradientCopy();
            float[] p = g.params();
            float eps = 1e-2f;
            for (int i = 0; i < p.length; i += Math.max(1, p.length / 120)) {
                float[] q = p.clone();
                q[i] = p[i] + eps;
                g.setParams(q);
                double lp = dpoLoss(g, pairs, ref, beta);
                q[i] = p[i] - eps;
                g.setParams(q);
                double lm = dpoLoss(g, pairs, ref, beta);
                double fd = (lp - lm) / (2 * eps);
                if (Math.abs(fd - an[i]) > 2e-3 + 3e-2 * Math.abs(fd)) {
                    // second-order terms: a central difference over half the step, Richardson-extrapolated
                    float h = eps / 2;
                    q[i] = p[i] + h;
                    g.setParams(q);
                    double lp2 = dpoLoss(g, pairs, ref, beta);
                    q[i] = p[i] - h;
                    g.setParams(q);
                    double lm2 = dpoLoss(g, pairs, ref, beta);
                    double fd2 = (lp2 - lm2) / (2 * h);
                    fd = (4 * fd2 - fd) / 3;
                }
                assertTrue(Math.abs(fd - an[i]) <= 2e-3 + 3e-2 * Math.abs(fd),
                        "param " + i + ": analytic " + an[i] + " fd " + fd);
            }
            g.setParams(p);
        }
    }
}
