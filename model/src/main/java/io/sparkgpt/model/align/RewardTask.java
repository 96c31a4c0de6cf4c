package io.sparkgpt.model.align;

import io.sparkgpt.model.GPT;
import io.sparkgpt.model.Rng;
import io.sparkgpt.model.TrainConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reward-model training: batches of preference pairs, the pairwise loss, AdamW on trunk and head. Evaluation: the
 * held-out pairwise accuracy and loss beside two baselines, chance (0.5) and "the longer answer wins" (in tokens;
 * a tie counts one half).
 */
public final class RewardTask implements AlignTask {
    private final RewardModel rm;
    private final TrainConfig tc;
    private final List<PreferenceTokens> train;
    private final List<PreferenceTokens> val;

    public RewardTask(RewardModel rm, TrainConfig tc, List<PreferenceTokens> train, List<PreferenceTokens> val) {
        this.rm = rm;
        this.tc = tc;
        this.train = List.copyOf(train);
        this.val = List.copyOf(val);
    }

    @Override
    public String kind() {
        return "reward";
    }

    @Override
    public GPT model() {
        return rm.trunk();
    }

    public RewardModel rewardModel() {
        return rm;
    }

    @Override
    public Map<String, Object> step(long step, double lr) {
        List<PreferenceTokens> batch = Batches.draw(train, tc.batchSize(), Rng.mix(tc.seed(), 11), step);
        RewardModel.StepResult r = rm.gradient(batch, tc);
        rm.update(lr, tc);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loss", r.loss());
        m.put("accuracy", r.accuracy());
        m.put("grad_norm", rm.trunk().lastGradNorm());
        return m;
    }

    @Override
    public Map<String, Object> evaluate() {
        return evaluate(rm, val);
    }

    /** Pairwise accuracy, loss, mean margin and the two baselines of {@code rm} on {@code pairs}. */
    public static Map<String, Object> evaluate(RewardModel rm, List<PreferenceTokens> pairs) {
        List<int[]> seqs = new ArrayList<>();
        for (PreferenceTokens p : pairs) {
            seqs.add(p.chosen().ids());
            seqs.add(p.rejected().ids());
        }
        double[] r = rm.scores(seqs);
        double loss = 0, margin = 0, longer = 0;
        int correct = 0;
        for (int i = 0; i < pairs.size(); i++) {
            PairwiseLoss.Result res = PairwiseLoss.of(r[2 * i], r[2 * i + 1]);
            loss += res.loss();
            margin += r[2 * i] - r[2 * i + 1];
            correct += res.correct() ? 1 : 0;
            int lc = pairs.get(i).chosen().responseLength(), lr = pairs.get(i).rejected().responseLength();
            longer += lc > lr ? 1 : lc == lr ? 0.5 : 0;
        }
        int n = Math.max(1, pairs.size());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("val_accuracy", (double) correct / n);
        m.put("val_loss", loss / n);
        m.put("val_margin", margin / n);
        m.put("baseline_chance", 0.5);
        m.put("baseline_longer", longer / n);
        m.put("val_pairs", pairs.size());
        return m;
    }

    @Override
    public Map<String, String> state() {
        return Map.of(RewardModel.HEAD_KEY, rm.head().encode());
    }

    @Override
    public void restore(Map<String, String> meta, String name) {
        String h = meta.get(RewardModel.HEAD_KEY);
        if (h == null) {
            throw new IllegalArgumentException(name + " holds no reward head (" + RewardModel.HEAD_KEY + ")");
        }
        rm.head().setState(ScalarHead.decode(h, name).state());
    }
}
