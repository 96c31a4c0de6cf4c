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
 * PPO on a language model (InstructGPT's recipe as TRL runs it): the policy shares its trunk with a value head
 * ({@link ScalarHead} on every response position), the reference is the frozen {@code --init} model. One step:
 * rollouts from the policy, their scores ({@link RewardSource}), per-token rewards with the KL penalty to the
 * reference, GAE, whitened advantages, then {@code epochs} full-batch updates of the clipped surrogate plus the
 * clipped value loss. Evaluation: held-out prompts with fixed seeds; mean reward and mean KL to the reference.
 */
public final class PpoTask implements AlignTask {
    /** Checkpoint metadata key of the value head. */
    public static final String VALUE_HEAD_KEY = "ppo.value_head";

    /** How a batch of prompts becomes responses: on this machine, or on a cluster's executors. */
    @FunctionalInterface
    public interface Generator {
        List<int[]> generate(List<int[]> prompts, long seed, long firstIndex);
    }

    private final GPT policy;
    private final GPT reference;
    private final ScalarHead value;
    private final TrainConfig tc;
    private final PpoConfig pc;
    private final List<int[]> train;
    private final List<int[]> val;
    private final RewardSource reward;
    private Generator generator;

    public PpoTask(GPT policy, GPT reference, ScalarHead value, TrainConfig tc, PpoConfig pc, List<int[]> train,
                   List<int[]> val, RewardSource reward) {
        this.policy = policy;
        this.reference = reference;
        this.value = value;
        this.tc = tc;
        this.pc = pc;
        this.train = List.copyOf(train);
        this.val = List.copyOf(val);
        this.reward = reward;
        this.generator = (prompts, seed, first) -> Rollouts.generate(policy, prompts, pc, seed, first);
    }

    /** Generate rollouts elsewhere (the executors); it must give what {@link Rollouts#generate} gives. */
    public PpoTask withGenerator(Generator g) {
        this.generator = g;
        return this;
    }

    @Override
    public String kind() {
        return "ppo";
    }

    @Override
    public GPT model() {
        return policy;
    }

    public ScalarHead valueHead() {
        return value;
    }

    /** One batch of rollouts with everything PPO needs about it. */
    record Batch(List<Sequence> seqs, Padded padded, double[] scores, double[][] logpOld, double[][] logpRef,
                 double[][] valuesOld, double[] kl) {}

    Batch rollouts(List<int[]> prompts, long seed, long firstIndex) {
        List<int[]> responses = generator.generate(prompts, seed, firstIndex);
        return batch(prompts, responses, reward.score(prompts, responses));
    }

    /** A step's rollouts (null: none kept) and how many groups of {@code samplesPerPrompt} were drawn to find them. */
    record Draw(Batch batch, int groupsDrawn) {}

    /** Each of the {@code batchSize} prompts drawn for {@code step}, {@code k} times side by side: its group. */
    private List<int[]> groups(long drawSeed, long step) {
        int k = pc.samplesPerPrompt();
        List<int[]> prompts = new ArrayList<>(tc.batchSize() * k);
        for (int[] p : Batches.draw(train, tc.batchSize(), drawSeed, step)) {
            for (int j = 0; j < k; j++) {
                prompts.add(p);
            }
        }
        return prompts;
    }

    /**
     * The step's rollouts. With {@code mixedGroupDraws} N > 0 (DAPO's dynamic sampling): up to N batches of prompts
     * are drawn (draw {@code step * N + d}, rollout indices from {@code (step * N + d) * batchSize * k}) and only
     * groups whose samples do not all score the same are kept, until {@code batchSize} groups are found. A prompt
     * the policy always (or never) answers right gives every sample the same leave-one-out advantage of ~0; left in
     * the batch, such groups leave a step with one or two groups that carry any signal, so its update - the same
     * size under Adam - is mostly noise.
     */
    Draw draw(long step) {
        int k = pc.samplesPerPrompt(), n = tc.batchSize() * k, draws = pc.mixedGroupDraws();
        long drawSeed = Rng.mix(tc.seed(), 17), rolloutSeed = Rng.mix(tc.seed(), 19);
        if (draws == 0) {
            return new Draw(rollouts(groups(drawSeed, step), rolloutSeed, step * n), tc.batchSize());
        }
        List<int[]> prompts = new ArrayList<>(n), responses = new ArrayList<>(n);
        double[] scores = new double[n];
        int drawn = 0;
        for (int d = 0; d < draws && prompts.size() < n; d++) {
            long sub = step * draws + d;
            List<int[]> p = groups(drawSeed, sub);
            List<int[]> r = generator.generate(p, rolloutSeed, sub * n);
            double[] s = reward.score(p, r);
            for (int g = 0; g < n && prompts.size() < n; g += k) {
                drawn++;
                if (mixed(s, g, k)) {
                    for (int i = g; i < g + k; i++) {
                        scores[prompts.size()] = s[i];
                        prompts.add(p.get(i));
                        responses.add(r.get(i));
                    }
                }
            }
        }
        if (prompts.isEmpty()) {
            return new Draw(null, drawn);
        }
        return new Draw(batch(prompts, responses, java.util.Arrays.copyOf(scores, prompts.size())), drawn);
    }

    private static boolean mixed(double[] scores, int from, int k) {
        for (int i = from + 1; i < from + k; i++) {
            if (scores[i] != scores[from]) {
                return true;
            }
        }
        return false;
    }

    /** Rollouts scored: their log-probabilities under policy and reference, the value head, the KL. */
    Batch batch(List<int[]> prompts, List<int[]> responses, double[] scores) {
        List<Sequence> seqs = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            int[] p = prompts.get(i), r = responses.get(i);
            int[] ids = new int[p.length + r.length];
            System.arraycopy(p, 0, ids, 0, p.length);
            System.arraycopy(r, 0, ids, p.length, r.length);
            seqs.add(new Sequence(ids, p.length));
        }
        Padded pad = Padded.nextToken(seqs);
        double[][] lpOld = responseValues(policy.tokenLogProbs(pad.x(), pad.y()), pad);
        double[][] lpRef = responseValues(reference.tokenLogProbs(pad.x(), pad.y()), pad);
        double[][] vOld = values(pad);
        double[] kl = new double[seqs.size()];
        for (int b = 0; b < kl.length; b++) {
            kl[b] = Ppo.kl(lpOld[b], lpRef[b]);
        }
        return new Batch(seqs, pad, scores, lpOld, lpRef, vOld, kl);
    }

    /** The entries of {@code perPosition} at the response positions of each row, in order. */
    static double[][] responseValues(float[][] perPosition, Padded p) {
        double[][] out = new double[p.rows()][];
        for (int b = 0; b < p.rows(); b++) {
            List<Double> v = new ArrayList<>();
            for (int t = 0; t < p.T(); t++) {
                if (p.y()[b][t] >= 0) {
                    v.add((double) perPosition[b][t]);
                }
            }
            out[b] = v.stream().mapToDouble(Double::doubleValue).toArray();
        }
        return out;
    }

    /** The value head at every response position (the state before each response token), without dropout. */
    private double[][] values(Padded p) {
        float[][] all = new float[p.rows()][p.T()];
        policy.forwardInference(p.x(), (row0, mb) -> {
            int T = mb.T(), C = mb.C();
            for (int b = 0; b < mb.rows(); b++) {
                for (int t = 0; t < T; t++) {
                    if (p.y()[row0 + b][t] >= 0) {
                        all[row0 + b][t] = (float) value.score(mb.hidden(), (b * T + t) * C);
                    }
                }
            }
            return 0;
        });
        return responseValues(all, p);
    }

    @Override
    public Map<String, Object> step(long step, double lr) {
        return step(step, lr, false);
    }

    /**
     * One PPO step; with {@code policyFrozen} only the value head learns (its warm-up: a fresh head's estimates are
     * noise, and GAE on them hands the first policy updates advantages of noise).
     */
    public Map<String, Object> step(long step, double lr, boolean policyFrozen) {
        if (policyFrozen && pc.baseline() != PpoConfig.Baseline.VALUE) {
            throw new IllegalArgumentException("a value-head warm-up needs the value baseline");
        }
        int k = pc.samplesPerPrompt();
        Draw draw = draw(step);
        Batch bt = draw.batch();
        int n = bt == null ? 0 : bt.seqs().size(); // rollouts: each kept prompt k times, its samples side by side
        if (n == 0) { // no mixed group in any draw: nothing to learn from, no update
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("loss", 0.0);
            m.put("response_tokens", 0.0);
            m.put("rollouts", 0.0);
            m.put("groups_drawn", (double) draw.groupsDrawn());
            return m;
        }
        double[][] adv = new double[n][];
        double[][] ret = new double[n][];
        double[] seqReturn = new double[n];
        long tokens = 0;
        for (int b = 0; b < n; b++) {
            double[] r = Ppo.rewards(bt.logpOld()[b], bt.logpRef()[b], bt.scores()[b], pc.klCoef());
            Ppo.Gae g = Ppo.gae(r, bt.valuesOld()[b], pc.gamma(), pc.lambda());
            adv[b] = g.advantages();
            ret[b] = g.returns();
            for (double v : r) {
                seqReturn[b] += v;
            }
            tokens += r.length;
        }
        if (pc.baseline() == PpoConfig.Baseline.GROUP) {
            double[] loo = Ppo.leaveOneOut(seqReturn, k);
            for (int b = 0; b < n; b++) {
                java.util.Arrays.fill(adv[b], loo[b]);
            }
        }
        adv = Ppo.whiten(adv);
        double polLoss = 0, valLoss = 0, clipFrac = 0;
        int C = policy.config().nEmbd();
        for (int e = 0; e < pc.epochs(); e++) {
            double[][] rowGrad = new double[n][C + 1];
            double[][] rowStats = new double[n][3]; // policy loss, value loss, clipped tokens
            policy.gradient(bt.padded().x(), ppoLoss(bt, adv, ret, 1.0 / tokens, rowGrad, rowStats, policyFrozen),
                    tc);
            if (!policyFrozen) {
                policy.update(lr, tc);
            }
            if (pc.baseline() == PpoConfig.Baseline.VALUE) {
                value.zeroGrad();
                for (double[] g : rowGrad) {
                    value.addGrad(g);
                }
                value.update(lr, tc.beta1(), tc.beta2(), tc.eps());
            }
            if (e == pc.epochs() - 1) {
                for (double[] s : rowStats) {
                    polLoss += s[0] / tokens;
                    valLoss += s[1] / tokens;
                    clipFrac += s[2] / tokens;
                }
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loss", polLoss + pc.valueCoef() * valLoss);
        m.put("reward", mean(bt.scores()));
        m.put("kl", mean(bt.kl()));
        m.put("policy_loss", polLoss);
        m.put("value_loss", valLoss);
        m.put("clip_fraction", clipFrac);
        m.put("response_tokens", (double) tokens / n);
        m.put("rollouts", (double) n);
        m.put("groups_drawn", (double) draw.groupsDrawn());
        return m;
    }

    /** Surrogate + valueCoef * value loss, mean over the batch's response tokens; per-row accumulators only. */
    private LogitsLoss ppoLoss(Batch bt, double[][] adv, double[][] ret, double scale, double[][] rowGrad,
                               double[][] rowStats, boolean policyFrozen) {
        int[][] y = bt.padded().y();
        boolean trainValue = pc.baseline() == PpoConfig.Baseline.VALUE;
        return (row0, mb) -> {
            FloatBuffer lg = mb.logits();
            int T = mb.T(), V = mb.V(), C = mb.C();
            double total = 0;
            for (int b = 0; b < mb.rows(); b++) {
                int row = row0 + b;
                int k = 0; // response token index
                for (int t = 0; t < T; t++) {
                    int off = (b * T + t) * V;
                    int tgt = y[row][t];
                    if (tgt < 0) {
                        LogProbGrad.zero(lg, off, V);
                        continue;
                    }
                    double lp = LogProbGrad.logProb(lg, off, V, tgt);
                    Ppo.Surrogate s = Ppo.surrogate(lp, bt.logpOld()[row][k], adv[row][k], pc.clip());
                    if (policyFrozen) {
                        LogProbGrad.zero(lg, off, V);
                    } else {
                        LogProbGrad.writeGrad(lg, off, V, tgt, s.dLogp() * scale);
                    }
                    Ppo.ValueLoss vl = new Ppo.ValueLoss(0, 0);
                    if (trainValue) { // the group baseline needs no value head: nothing of it reaches the trunk
                        int hOff = (b * T + t) * C;
                        double v = value.score(mb.hidden(), hOff);
                        vl = Ppo.valueLoss(v, bt.valuesOld()[row][k], ret[row][k], pc.valueClip());
                        value.backward(mb.hidden(), hOff, vl.dValue() * pc.valueCoef() * scale, mb.hiddenGrad(),
                                rowGrad[row]);
                    }
                    rowStats[row][0] += s.loss();
                    rowStats[row][1] += vl.loss();
                    rowStats[row][2] += s.clipped() ? 1 : 0;
                    total += (s.loss() + pc.valueCoef() * vl.loss()) * scale;
                    k++;
                }
            }
            return total;
        };
    }

    @Override
    public Map<String, Object> evaluate() {
        Batch bt = rollouts(val, Rng.mix(tc.seed(), 23), 0);
        double tokens = 0;
        for (Sequence s : bt.seqs()) {
            tokens += s.responseLength();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("val_reward", mean(bt.scores()));
        m.put("val_kl", mean(bt.kl()));
        m.put("val_response_tokens", tokens / Math.max(1, val.size()));
        m.put("val_prompts", val.size());
        return m;
    }

    private static double mean(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v;
        }
        return a.length == 0 ? 0 : s / a.length;
    }

    @Override
    public Map<String, String> state() {
        return Map.of(VALUE_HEAD_KEY, value.encode());
    }

    @Override
    public void restore(Map<String, String> meta, String name) {
        String h = meta.get(VALUE_HEAD_KEY);
        if (h == null) {
            throw new IllegalArgumentException(name + " holds no value head (" + VALUE_HEAD_KEY + ")");
        }
        value.setState(ScalarHead.decode(h, name).state());
    }
}
