package io.sparkgpt.model.align;

import static org.junit.jupiter.api.Assertions.*;

import io.sparkgpt.model.Rng;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/** The alignment losses against small cases computed by hand (in the comments) and finite differences. */
class AlignMathTest {

    @Test
    void pairwiseLossByHand() {
        // d = 1: sigmoid(1) = 0.7310585786; loss = -ln 0.7310585786 = 0.3132616875; dC = s - 1 = -0.2689414214
        PairwiseLoss.Result r = PairwiseLoss.of(1.0, 0.0);
        assertEquals(0.3132616875, r.loss(), 1e-9);
        assertEquals(-0.2689414214, r.dChosen(), 1e-9);
        assertEquals(0.2689414214, r.dRejected(), 1e-9);
        assertTrue(r.correct());
        // a tie: ln 2, gradient -1/2 and +1/2, counted wrong
        PairwiseLoss.Result tie = PairwiseLoss.of(3.0, 3.0);
        assertEquals(Math.log(2), tie.loss(), 1e-12);
        assertEquals(-0.5, tie.dChosen(), 1e-12);
        assertFalse(tie.correct());
        // far apart: softplus(800) = 800 exactly, no overflow; gradient saturates at -1
        PairwiseLoss.Result far = PairwiseLoss.of(0, 800);
        assertEquals(800, far.loss(), 1e-9);
        assertEquals(-1, far.dChosen(), 1e-12);
    }

    @Test
    void dpoLossByHand() {
        // beta 0.1; policy - reference: chosen +1, rejected -1 -> rewards 0.1 and -0.1, z = 0.2
        // loss = ln(1 + e^-0.2) = ln 1.8187307531 = 0.5981388693; sigmoid(-0.2) = 0.4501660027
        DpoLoss.Result r = DpoLoss.of(-10, -12, -11, -11, 0.1);
        assertEquals(0.5981388693, r.loss(), 1e-9);
        assertEquals(-0.04501660027, r.dChosen(), 1e-10);
        assertEquals(0.04501660027, r.dRejected(), 1e-10);
        assertEquals(0.1, r.rewardChosen(), 1e-12);
        assertEquals(-0.1, r.rewardRejected(), 1e-12);
        assertEquals(0.2, r.margin(), 1e-12);
        assertTrue(r.correct());
        // policy = reference: ln 2, gradient -beta/2
        DpoLoss.Result same = DpoLoss.of(-5, -7, -5, -7, 0.5);
        assertEquals(Math.log(2), same.loss(), 1e-12);
        assertEquals(-0.25, same.dChosen(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> DpoLoss.of(0, 0, 0, 0, 0));
    }

    @Test
    void dpoWithSftTermByHand() {
        // the case above plus sft weight 0.5 on a 4-token chosen answer: NLL per token 10 / 4 = 2.5
        // loss = 0.5981388693 + 0.5 * 2.5 = 1.8481388693; dChosen = -0.04501660027 - 0.5 / 4 = -0.17001660027
        DpoLoss.Result r = DpoLoss.of(-10, -12, -11, -11, 0.1, 0.5, 4);
        assertEquals(1.8481388693, r.loss(), 1e-9);
        assertEquals(-0.17001660027, r.dChosen(), 1e-10);
        assertEquals(0.04501660027, r.dRejected(), 1e-10);
        assertEquals(0.2, r.margin(), 1e-12); // the implicit reward is DPO's alone
        assertTrue(r.correct());
        // weight 0 is plain DPO
        assertEquals(DpoLoss.of(-3, -4, -2, -5, 0.3).loss(), DpoLoss.of(-3, -4, -2, -5, 0.3, 0, 7).loss(), 0);
        assertThrows(IllegalArgumentException.class, () -> DpoLoss.of(0, 0, 0, 0, 0.1, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> DpoLoss.of(0, 0, 0, 0, 0.1, 0.5, 0));
        // gradient by central differences
        Rng g = new Rng(9);
        for (int k = 0; k < 20; k++) {
            double pc = -10 * g.nextDouble(), pr = -10 * g.nextDouble();
            double rc = -10 * g.nextDouble(), rr = -10 * g.nextDouble();
            double beta = 0.05 + g.nextDouble(), w = 2 * g.nextDouble();
            int n = 1 + k % 5;
            DpoLoss.Result a = DpoLoss.of(pc, pr, rc, rr, beta, w, n);
            double h = 1e-5;
            double fdC = (DpoLoss.of(pc + h, pr, rc, rr, beta, w, n).loss()
                    - DpoLoss.of(pc - h, pr, rc, rr, beta, w, n).loss()) / (2 * h);
            double fdR = (DpoLoss.of(pc, pr + h, rc, rr, beta, w, n).loss()
                    - DpoLoss.of(pc, pr - h, rc, rr, beta, w, n).loss()) / (2 * h);
            assertEquals(fdC, a.dChosen(), 1e-7);
            assertEquals(fdR, a.dRejected(), 1e-7);
        }
    }

    @Test
    void dpoGradientMatchesFiniteDifferences() {
        Rng r = new Rng(5);
        for (int k = 0; k < 20; k++) {
            double pc = -10 * r.nextDouble(), pr = -10 * r.nextDouble();
            double rc = -10 * r.nextDouble(), rr = -10 * r.nextDouble();
            double beta = 0.05 + r.nextDouble();
            DpoLoss.Result a = DpoLoss.of(pc, pr, rc, rr, beta);
            double h = 1e-5;
            double fdC = (DpoLoss.of(pc + h, pr, rc, rr, beta).loss() - DpoLoss.of(pc - h, pr, rc, rr, beta).loss()) / (2 * h);
            double fdR = (DpoLoss.of(pc, pr + h, rc, rr, beta).loss() - DpoLoss.of(pc, pr - h, rc, rr, beta).loss()) / (2 * h);
            assertEquals(fdC, a.dChosen(), 1e-7);
            assertEquals(fdR, a.dRejected(), 1e-7);
        }
    }

    @Test
    void logProbGradByHandAndFiniteDifferences() {
        // logits [0, ln 3]: softmax [1/4, 3/4]; log p(1) = ln 0.75 = -0.2876820725;
        // weight 2: 2 * ([0, 1] - [0.25, 0.75]) = [-0.5, 0.5]
        FloatBuffer l = FloatBuffer.wrap(new float[] {0f, (float) Math.log(3)});
        assertEquals(-0.2876820725, LogProbGrad.logProb(l, 0, 2, 1), 1e-7);
        double lp = LogProbGrad.writeGrad(l, 0, 2, 1, 2.0);
        assertEquals(-0.2876820725, lp, 1e-7);
        assertEquals(-0.5, l.get(0), 1e-6);
        assertEquals(0.5, l.get(1), 1e-6);
        // random logits at an offset: d(w log p)/dlogit_v by central differences
        Rng r = new Rng(11);
        int V = 7, off = 3, target = 4;
        float[] base = new float[off + V];
        for (int i = 0; i < base.length; i++) {
            base[i] = (float) r.nextGaussian();
        }
        double w = -1.7;
        FloatBuffer g = FloatBuffer.wrap(base.clone());
        LogProbGrad.writeGrad(g, off, V, target, w);
        for (int v = 0; v < V; v++) {
            float[] q = base.clone();
            float eps = 1e-2f;
            q[off + v] = base[off + v] + eps;
            double lpPlus = LogProbGrad.logProb(FloatBuffer.wrap(q), off, V, target);
            q[off + v] = base[off + v] - eps;
            double lpMinus = LogProbGrad.logProb(FloatBuffer.wrap(q), off, V, target);
            assertEquals(w * (lpPlus - lpMinus) / (2 * eps), g.get(off + v), 2e-4, "logit " + v);
        }
        assertEquals(base[0], g.get(0)); // outside the row: untouched
    }

    @Test
    void klPenaltyRewardsByHand() {
        // r_0 = -0.1 * (-1 - -1.5) = -0.05; r_1 = -0.1 * (-2 - -1) + score 2 = 0.1 + 2 = 2.1; KL = 0.5 - 1 = -0.5
        double[] r = Ppo.rewards(new double[] {-1, -2}, new double[] {-1.5, -1}, 2, 0.1);
        assertArrayEquals(new double[] {-0.05, 2.1}, r, 1e-12);
        assertEquals(-0.5, Ppo.kl(new double[] {-1, -2}, new double[] {-1.5, -1}), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Ppo.rewards(new double[2], new double[3], 0, 0.1));
    }

    @Test
    void gaeByHand() {
        double[] rew = {0, 0, 1};
        double[] val = {0.5, 0.6, 0.7};
        // gamma = lambda = 1: deltas (0.1, 0.1, 0.3); A = (0.5, 0.4, 0.3); returns = the Monte Carlo return 1
        Ppo.Gae g1 = Ppo.gae(rew, val, 1, 1);
        assertArrayEquals(new double[] {0.5, 0.4, 0.3}, g1.advantages(), 1e-12);
        assertArrayEquals(new double[] {1, 1, 1}, g1.returns(), 1e-12);
        // gamma 0.9, lambda 0.5: delta2 = 1 - 0.7 = 0.3; delta1 = 0.9*0.7 - 0.6 = 0.03; delta0 = 0.9*0.6 - 0.5 = 0.04
        // A2 = 0.3; A1 = 0.03 + 0.45*0.3 = 0.165; A0 = 0.04 + 0.45*0.165 = 0.11425; returns A + V
        Ppo.Gae g2 = Ppo.gae(rew, val, 0.9, 0.5);
        assertArrayEquals(new double[] {0.11425, 0.165, 0.3}, g2.advantages(), 1e-12);
        assertArrayEquals(new double[] {0.61425, 0.765, 1.0}, g2.returns(), 1e-12);
        // lambda 0: one-step TD errors
        assertArrayEquals(new double[] {0.04, 0.03, 0.3}, Ppo.gae(rew, val, 0.9, 0).advantages(), 1e-12);
    }

    @Test
    void whitenByHand() {
        // mean 2, population std sqrt(2/3) = 0.8164965809 -> -1.2247448714, 0, 1.2247448714
        double[][] w = Ppo.whiten(new double[][] {{1, 2}, {3}});
        assertEquals(-1.2247448714, w[0][0], 1e-7);
        assertEquals(0, w[0][1], 1e-12);
        assertEquals(1.2247448714, w[1][0], 1e-7);
    }

    @Test
    void leaveOneOutByHand() {
        // groups of 3: {1, 0, 0} -> 1 - 0, 0 - 0.5, 0 - 0.5; {1, 1, 1} -> all 0 (nothing to prefer)
        assertArrayEquals(new double[] {1, -0.5, -0.5, 0, 0, 0},
                Ppo.leaveOneOut(new double[] {1, 0, 0, 1, 1, 1}, 3), 1e-12);
        // groups of 2: the difference of the pair, each way
        assertArrayEquals(new double[] {0.75, -0.75}, Ppo.leaveOneOut(new double[] {0.5, -0.25}, 2), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Ppo.leaveOneOut(new double[5], 2));
        assertThrows(IllegalArgumentException.class, () -> Ppo.leaveOneOut(new double[4], 1));
    }

    @Test
    void clippedSurrogateByHand() {
        double e = 0.2;
        // ratio 1, A 3: loss -3, d/dlogp = -ratio*A = -3
        Ppo.Surrogate s = Ppo.surrogate(-1, -1, 3, e);
        assertEquals(-3, s.loss(), 1e-12);
        assertEquals(-3, s.dLogp(), 1e-12);
        assertFalse(s.clipped());
        // ratio e^0.5 = 1.6487212707 > 1.2 with A = 2 > 0: min(3.297, 2.4) = 2.4 (clipped), loss -2.4, no gradient
        s = Ppo.surrogate(0, -0.5, 2, e);
        assertEquals(-2.4, s.loss(), 1e-12);
        assertEquals(0, s.dLogp());
        assertTrue(s.clipped());
        // ratio e^-0.5 = 0.6065306597 < 0.8, A = 2: min(1.2131, 1.6) = 1.2131 (unclipped): gradient -1.2130613194
        s = Ppo.surrogate(-0.5, 0, 2, e);
        assertEquals(-1.2130613194, s.loss(), 1e-9);
        assertEquals(-1.2130613194, s.dLogp(), 1e-9);
        // A = -1, ratio 1.6487: min(-1.6487, -1.2) = -1.6487 unclipped: loss 1.6487, gradient -ratio*A = +1.6487
        s = Ppo.surrogate(0, -0.5, -1, e);
        assertEquals(1.6487212707, s.loss(), 1e-9);
        assertEquals(1.6487212707, s.dLogp(), 1e-9);
        // A = -1, ratio 0.6065: min(-0.6065, -0.8) = -0.8 clipped: loss 0.8, no gradient
        s = Ppo.surrogate(-0.5, 0, -1, e);
        assertEquals(0.8, s.loss(), 1e-12);
        assertEquals(0, s.dLogp());
        // finite differences away from the kinks
        Rng r = new Rng(3);
        for (int k = 0; k < 30; k++) {
            double lo = -2 * r.nextDouble(), ln = lo + 0.6 * (r.nextDouble() - 0.5), a = r.nextGaussian();
            double h = 1e-6;
            double fd = (Ppo.surrogate(ln + h, lo, a, e).loss() - Ppo.surrogate(ln - h, lo, a, e).loss()) / (2 * h);
            double ratio = Math.exp(ln - lo);
            if (Math.abs(ratio - 1 - e) > 1e-3 && Math.abs(ratio - 1 + e) > 1e-3) {
                assertEquals(fd, Ppo.surrogate(ln, lo, a, e).dLogp(), 1e-6);
            }
        }
    }

    @Test
    void clippedValueLossByHand() {
        // V 1, Vold 0.5, R 0, clip 0.2: (V-R)^2 = 1 beats (0.7-0)^2 = 0.49: loss 0.5, dV = 1
        Ppo.ValueLoss a = Ppo.valueLoss(1.0, 0.5, 0.0, 0.2);
        assertEquals(0.5, a.loss(), 1e-12);
        assertEquals(1.0, a.dValue(), 1e-12);
        // V 0.1, Vold 0.5, R 0: (0.1)^2 = 0.01 < (0.3)^2 = 0.09: the clipped branch, loss 0.045, no gradient
        Ppo.ValueLoss b = Ppo.valueLoss(0.1, 0.5, 0.0, 0.2);
        assertEquals(0.045, b.loss(), 1e-12);
        assertEquals(0, b.dValue());
        // inside the clip range both branches agree: 0.5 (V-R)^2, dV = V - R
        Ppo.ValueLoss c = Ppo.valueLoss(0.55, 0.5, 2.0, 0.2);
        assertEquals(0.5 * 1.45 * 1.45, c.loss(), 1e-12);
        assertEquals(-1.45, c.dValue(), 1e-12);
    }

    @Test
    void rewardHeadGradientMatchesFiniteDifferences() {
        // loss(w, b, h_c, h_r) = -log sigmoid(head(h_c) - head(h_r)); check every analytic derivative
        int C = 6;
        ScalarHead head = ScalarHead.create(C, 7);
        Rng r = new Rng(8);
        float[] hc = new float[C], hr = new float[C];
        for (int c = 0; c < C; c++) {
            hc[c] = (float) r.nextGaussian();
            hr[c] = (float) r.nextGaussian();
        }
        PairwiseLoss.Result res = PairwiseLoss.of(head.score(hc), head.score(hr));
        double[] gHead = new double[C + 1];
        FloatBuffer dhc = FloatBuffer.allocate(C), dhr = FloatBuffer.allocate(C);
        head.backward(FloatBuffer.wrap(hc), 0, res.dChosen(), dhc, gHead);
        head.backward(FloatBuffer.wrap(hr), 0, res.dRejected(), dhr, gHead);
        float[] p = head.params();
        double eps = 1e-3;
        for (int i = 0; i <= C; i++) {
            float[] q = p.clone();
            q[i] = (float) (p[i] + eps);
            head.setParams(q);
            double lp = PairwiseLoss.of(head.score(hc), head.score(hr)).loss();
            q[i] = (float) (p[i] - eps);
            head.setParams(q);
            double lm = PairwiseLoss.of(head.score(hc), head.score(hr)).loss();
            assertEquals((lp - lm) / (2 * eps), gHead[i], 1e-4, "head param " + i);
        }
        head.setParams(p);
        for (int c = 0; c < C; c++) {
            float[] q = hc.clone();
            q[c] += (float) eps;
            double lp = PairwiseLoss.of(head.score(q), head.score(hr)).loss();
            q[c] -= (float) (2 * eps);
            double lm = PairwiseLoss.of(head.score(q), head.score(hr)).loss();
            assertEquals((lp - lm) / (2 * eps), dhc.get(c), 1e-4, "chosen hidden " + c);
        }
    }

    @Test
    void headStateRoundTripsExactly() {
        ScalarHead h = ScalarHead.create(5, 1);
        h.addGrad(new double[] {1, -2, 3, 0.5, 0.25, -1});
        h.update(1e-2, 0.9, 0.95, 1e-8);
        ScalarHead back = ScalarHead.decode(h.encode(), "test");
        assertArrayEquals(h.state(), back.state());
        h.addGrad(new double[] {1, 1, 1, 1, 1, 1});
        back.addGrad(new double[] {1, 1, 1, 1, 1, 1});
        h.update(1e-2, 0.9, 0.95, 1e-8);
        back.update(1e-2, 0.9, 0.95, 1e-8);
        assertArrayEquals(h.params(), back.params());
        assertThrows(IllegalArgumentException.class, () -> ScalarHead.decode("zz,1", "meta head"));
    }
}
