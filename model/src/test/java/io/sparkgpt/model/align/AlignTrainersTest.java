package io.sparkgpt.model.align;

import static org.junit.jupiter.api.Assertions.*;

import io.sparkgpt.common.io.Storage;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.Rng;
import io.sparkgpt.model.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three alignment trainers on a toy preference ("token 7 in the answer is good") with a tiny GPT: each one
 * learns it, and each resumes bit for bit.
 */
class AlignTrainersTest {
    static final int V = 16;
    static final int GOOD = 7;
    static final GPTConfig CFG = new GPTConfig(V, 16, 1, 2, 16, 0.0, true, true);

    @TempDir
    Path dir;

    static int[] tokens(Rng r, int n, boolean allowGood) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            do {
                t[i] = 1 + r.nextInt(V - 1);
            } while (!allowGood && t[i] == GOOD);
        }
        return t;
    }

    static Sequence concat(int[] prompt, int[] response) {
        int[] ids = new int[prompt.length + response.length];
        System.arraycopy(prompt, 0, ids, 0, prompt.length);
        System.arraycopy(response, 0, ids, prompt.length, response.length);
        return new Sequence(ids, prompt.length);
    }

    /** Chosen answers hold the good token once; rejected ones never (same lengths: length says nothing). */
    static List<PreferenceTokens> pairs(int n, long seed) {
        Rng r = new Rng(seed);
        List<PreferenceTokens> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] prompt = tokens(r, 2 + r.nextInt(2), true);
            int len = 3 + r.nextInt(3);
            int[] chosen = tokens(r, len, false);
            chosen[r.nextInt(len)] = GOOD;
            out.add(new PreferenceTokens("toy:" + i, concat(prompt, chosen), concat(prompt, tokens(r, len, false))));
        }
        return out;
    }

    static List<int[]> prompts(int n, long seed) {
        Rng r = new Rng(seed);
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(tokens(r, 2 + r.nextInt(2), true));
        }
        return out;
    }

    /** A verifiable checker: the share of the response's tokens that are the good token. */
    static final RewardSource CHECKER = (prompts, responses) -> {
        double[] s = new double[responses.size()];
        for (int i = 0; i < s.length; i++) {
            int good = 0;
            for (int t : responses.get(i)) {
                good += t == GOOD ? 1 : 0;
            }
            s[i] = (double) good / Math.max(1, responses.get(i).length);
        }
        return s;
    };

    static TrainConfig tc(int steps, double lr) {
        return TrainConfig.defaults().withBatch(8, 1).withMaxSteps(steps).withLearningRate(lr).withMinLr(lr / 10)
                .withWarmupSteps(0).withWeightDecay(0).withEval(steps, 1).withCheckpointInterval(0).withSeed(3);
    }

    AlignLoop loop(AlignTask t, TrainConfig tc, String out, String metric) {
        return new AlignLoop(t, tc, Storage.local(), out, null, metric, true, Map.of("init", "toy"));
    }

    @Test
    void rewardModelLearnsThePreference() {
        TrainConfig tc = tc(60, 3e-3);
        try (RewardModel rm = new RewardModel(GPT.create(CFG, 1), ScalarHead.create(CFG.nEmbd(), 1))) {
            RewardTask task = new RewardTask(rm, tc, pairs(96, 1), pairs(48, 2));
            AlignLoop.Result r = loop(task, tc, dir.resolve("rm").toString(), "val_accuracy").run(Long.MAX_VALUE);
            System.out.println("RM toy held-out: " + r.lastEval());
            assertTrue((double) r.lastEval().get("val_accuracy") >= 0.9, "held-out accuracy " + r.lastEval());
            assertEquals(0.5, (double) r.lastEval().get("baseline_longer"), 1e-12); // equal lengths: all ties
            assertTrue(Files.exists(dir.resolve("rm").resolve(AlignLoop.BEST)));
        }
    }

    @Test
    void dpoRaisesTheHeldOutPreferenceAccuracy() {
        TrainConfig tc = tc(40, 3e-3);
        try (GPT policy = GPT.create(CFG, 4); GPT ref = GPT.create(CFG, 4)) {
            DpoTask task = new DpoTask(policy, ref, tc, 0.5, pairs(96, 5), pairs(48, 6));
            Map<String, Object> before = task.evaluate();
            assertEquals(0.0, (double) before.get("val_reward_margin"), 1e-9); // policy = reference
            AlignLoop.Result r = loop(task, tc, null, "val_accuracy").run(Long.MAX_VALUE);
            System.out.println("DPO toy held-out: before " + before + "\nDPO toy held-out: after " + r.lastEval());
            assertTrue((double) r.lastEval().get("val_accuracy") >= 0.8, "after " + r.lastEval());
            assertTrue((double) r.lastEval().get("val_reward_margin") > 0.1, "after " + r.lastEval());
            assertTrue((double) r.lastEval().get("val_logp_margin") > (double) before.get("val_logp_margin"));
            // each side's move from the reference: zero at the start; after, their gap is the reward margin / beta
            assertEquals(0.0, (double) before.get("val_dlogp_chosen"), 1e-9);
            assertEquals(0.0, (double) before.get("val_dlogp_rejected"), 1e-9);
            double dc = (double) r.lastEval().get("val_dlogp_chosen");
            double dr = (double) r.lastEval().get("val_dlogp_rejected");
            assertEquals((double) r.lastEval().get("val_reward_margin") / 0.5, dc - dr, 1e-6);
            assertEquals((double) r.lastEval().get("val_logp_rejected") - (double) before.get("val_logp_rejected"),
                    dr, 1e-6);
            assertTrue(dr < 0, "plain DPO pushes the rejected answers down: " + r.lastEval());
        }
    }

    @Test
    void ppoRaisesTheCheckerRewardWithTheKlBeside() {
        TrainConfig tc = tc(25, 1e-2);
        PpoConfig pc = new PpoConfig(0.05, 1.0, 0.95, 0.2, 0.2, 0.1, 2, 4, 1.0, -1);
        try (GPT policy = GPT.create(CFG, 8); GPT ref = GPT.create(CFG, 8)) {
            PpoTask task = new PpoTask(policy, ref, ScalarHead.create(CFG.nEmbd(), 8), tc, pc, prompts(64, 9),
                    prompts(32, 10), CHECKER);
            Map<String, Object> before = task.evaluate();
            assertEquals(0.0, (double) before.get("val_kl"), 1e-5);
            AlignLoop.Result r = loop(task, tc, null, "val_reward").run(Long.MAX_VALUE);
            double b = (double) before.get("val_reward"), a = (double) r.lastEval().get("val_reward");
            System.out.println("PPO toy held-out: before " + before + "\nPPO toy held-out: after " + r.lastEval());
            assertTrue(a > b + 0.2, "reward " + b + " -> " + a + " " + r.lastEval());
            assertTrue((double) r.lastEval().get("val_kl") > 0, "KL to the reference " + r.lastEval());
        }
    }

    @Test
    void ppoWithTheGroupBaselineRaisesTheCheckerReward() {
        TrainConfig tc = tc(25, 1e-2).withBatch(4, 1);
        PpoConfig pc = new PpoConfig(0.05, 1.0, 0.95, 0.2, 0.2, 0.1, 2, 4, 1.0, -1, 4, PpoConfig.Baseline.GROUP);
        try (GPT policy = GPT.create(CFG, 8); GPT ref = GPT.create(CFG, 8)) {
            ScalarHead head = ScalarHead.create(CFG.nEmbd(), 8);
            float[] head0 = head.params().clone();
            PpoTask task = new PpoTask(policy, ref, head, tc, pc, prompts(64, 9), prompts(32, 10), CHECKER);
            double b = (double) task.evaluate().get("val_reward");
            Map<String, Object> first = task.step(0, 1e-2);
            assertEquals(16.0, (double) first.get("rollouts"), "4 prompts x 4 samples");
            assertEquals(0.0, (double) first.get("value_loss"), "no value loss with the group baseline");
            AlignLoop.Result r = loop(task, tc, null, "val_reward").run(Long.MAX_VALUE);
            double a = (double) r.lastEval().get("val_reward");
            assertTrue(a > b + 0.2, "reward " + b + " -> " + a + " " + r.lastEval());
            assertArrayEquals(head0, head.params(), "the value head is not trained with the group baseline");
        }
    }

    @Test
    void aValueWarmupStepTrainsTheHeadAlone() {
        TrainConfig tc = tc(4, 1e-2);
        PpoConfig pc = new PpoConfig(0.05, 1.0, 0.95, 0.2, 0.2, 0.1, 2, 4, 1.0, -1);
        try (GPT policy = GPT.create(CFG, 8); GPT ref = GPT.create(CFG, 8)) {
            ScalarHead head = ScalarHead.create(CFG.nEmbd(), 8);
            float[] head0 = head.params().clone(), policy0 = policy.params().clone();
            PpoTask task = new PpoTask(policy, ref, head, tc, pc, prompts(64, 9), prompts(32, 10), CHECKER);
            Map<String, Object> m = task.step(0, 1e-2, true);
            assertArrayEquals(policy0, policy.params(), "the policy is frozen during the warm-up");
            assertFalse(java.util.Arrays.equals(head0, head.params()), "the value head learns");
            assertTrue((double) m.get("value_loss") > 0, m.toString());
            task.step(1, 1e-2, false);
            assertFalse(java.util.Arrays.equals(policy0, policy.params()), "after the warm-up the policy learns");
        }
    }

    @Test
    void theGroupBaselineNeedsTwoSamplesPerPrompt() {
        assertThrows(IllegalArgumentException.class,
                () -> new PpoConfig(0.05, 1.0, 0.95, 0.2, 0.2, 0.1, 2, 4, 1.0, -1, 1, PpoConfig.Baseline.GROUP));
    }

    /** A binary checker: 1 if the response holds the good token anywhere, else 0 (ties within a group are common). */
    static final RewardSource ANY_GOOD = (prompts, responses) -> {
        double[] s = new double[responses.size()];
        for (int i = 0; i < s.length; i++) {
            for (int t : responses.get(i)) {
                s[i] = t == GOOD ? 1 : s[i];
            }
        }
        return s;
    };

    static PpoConfig mixedGroups(int draws) {
        return new PpoConfig(0.05, 1.0, 0.95, 0.2, 0.2, 0.1, 2, 4, 1.0, -1, 4, PpoConfig.Baseline.GROUP, draws);
    }

    @Test
    void mixedGroupDrawsKeepOnlyGroupsWhoseSamplesDisagree() {
        TrainConfig tc = tc(1, 1e-2).withBatch(4, 1);
        try (GPT policy = GPT.create(CFG, 8); GPT ref = GPT.create(CFG, 8)) {
            PpoTask all = new PpoTask(policy, ref, ScalarHead.create(CFG.nEmbd(), 8), tc,
                    new PpoConfig(0.05, 1.0, 0.95, 0.2, 0.2, 0.1, 2, 4, 1.0, -1, 4, PpoConfig.Baseline.GROUP),
                    prompts(64, 9), List.of(), ANY_GOOD);
            PpoTask mixed = new PpoTask(policy, ref, ScalarHead.create(CFG.nEmbd(), 8), tc, mixedGroups(8),
                    prompts(64, 9), List.of(), ANY_GOOD);
            int uniformSeen = 0;
            for (long step = 0; step < 4; step++) {
                PpoTask.Draw a = all.draw(step);
                assertEquals(4, a.groupsDrawn());
                uniformSeen += uniformGroups(a.batch().scores());
                PpoTask.Draw d = mixed.draw(step);
                double[] s = d.batch().scores();
                assertEquals(16, s.length, "4 mixed groups of 4 found within 8 draws of 4 prompts");
                assertEquals(0, uniformGroups(s), "step " + step + ": " + java.util.Arrays.toString(s));
                assertTrue(d.groupsDrawn() >= 4 && d.groupsDrawn() <= 32, "groups drawn " + d.groupsDrawn());
            }
            assertTrue(uniformSeen > 0, "the unfiltered draws hold groups of one score (else this test shows nothing)");
            // the first draw of the filtered step is the unfiltered draw's step 0 (same prompts, same rollout seeds)
            PpoTask.Batch b0 = all.draw(0).batch(), m0 = mixed.draw(0).batch();
            int g = 0;
            while (uniformGroups(java.util.Arrays.copyOfRange(b0.scores(), g, g + 4)) == 1) {
                g += 4;
            }
            assertEquals(b0.seqs().subList(g, g + 4), m0.seqs().subList(0, 4));
        }
    }

    static int uniformGroups(double[] scores) {
        int u = 0;
        for (int g = 0; g < scores.length; g += 4) {
            u += scores[g] == scores[g + 1] && scores[g] == scores[g + 2] && scores[g] == scores[g + 3] ? 1 : 0;
        }
        return u;
    }

    @Test
    void aStepWithNoMixedGroupLeavesThePolicyAlone() {
        TrainConfig tc = tc(1, 1e-2).withBatch(4, 1);
        RewardSource constant = (prompts, responses) -> new double[responses.size()];
        try (GPT policy = GPT.create(CFG, 8); GPT ref = GPT.create(CFG, 8)) {
            float[] p0 = policy.params().clone();
            PpoTask task = new PpoTask(policy, ref, ScalarHead.create(CFG.nEmbd(), 8), tc, mixedGroups(3),
                    prompts(64, 9), List.of(), constant);
            Map<String, Object> m = task.step(0, 1e-2);
            assertEquals(0.0, (double) m.get("rollouts"));
            assertEquals(12.0, (double) m.get("groups_drawn"), "3 draws of 4 prompts");
            assertArrayEquals(p0, policy.params());
        }
    }

    @Test
    void ppoOnMixedGroupsRaisesTheCheckerReward() {
        TrainConfig tc = tc(25, 1e-2).withBatch(4, 1);
        try (GPT policy = GPT.create(CFG, 8); GPT ref = GPT.create(CFG, 8)) {
            PpoTask task = new PpoTask(policy, ref, ScalarHead.create(CFG.nEmbd(), 8), tc, mixedGroups(4),
                    prompts(64, 9), prompts(32, 10), ANY_GOOD);
            double b = (double) task.evaluate().get("val_reward");
            AlignLoop.Result r = loop(task, tc, null, "val_reward").run(Long.MAX_VALUE);
            double a = (double) r.lastEval().get("val_reward");
            assertTrue(a > b + 0.2, "reward " + b + " -> " + a + " " + r.lastEval());
        }
    }

    @Test
    void mixedGroupsNeedTheGroupBaseline() {
        assertThrows(IllegalArgumentException.class, () -> new PpoConfig(0.05, 1.0, 0.95, 0.2, 0.2, 0.1, 2, 4, 1.0,
                -1, 4, PpoConfig.Baseline.VALUE, 2));
        assertThrows(IllegalArgumentException.class, () -> mixedGroups(-1));
    }

    /** Runs 4 steps straight, and 2 + resume + 2 in another folder: every parameter and metric line equal. */
    void resumesBitForBit(Function<Integer, AlignTask> make, String metric, Function<AlignTask, float[]> extra) {
        TrainConfig tc = tc(4, 3e-3).withEval(2, 1).withCheckpointInterval(2);
        AlignTask straight = make.apply(0);
        AlignLoop a = loop(straight, tc, dir.resolve("a").toString(), metric);
        a.run(Long.MAX_VALUE);
        AlignTask first = make.apply(1);
        loop(first, tc, dir.resolve("b").toString(), metric).run(2);
        String ck = dir.resolve("b").resolve(AlignLoop.CHECKPOINT).toString();
        AlignTask second = make.apply(2);
        AlignLoop b = loop(second, tc, dir.resolve("b").toString(), metric);
        b.resume(Checkpoint.load(Storage.local(), ck), ck);
        assertEquals(2, b.step());
        b.run(Long.MAX_VALUE);
        assertArrayEquals(straight.model().params(), second.model().params());
        assertArrayEquals(straight.model().optimizerState(), second.model().optimizerState());
        assertArrayEquals(extra.apply(straight), extra.apply(second));
        List<String> la = strip(a.metricsLines()), lb = strip(b.metricsLines());
        assertEquals(la, lb);
        assertEquals(4, a.step());
    }

    /** The metrics lines without their wall-clock field. */
    static List<String> strip(List<String> lines) {
        return lines.stream().map(l -> l.replaceAll("\"elapsed_s\":[^,}]*,?", "")).toList();
    }

    @Test
    void rewardResumesBitForBit() {
        List<PreferenceTokens> tr = pairs(24, 1), va = pairs(8, 2);
        resumesBitForBit(i -> new RewardTask(new RewardModel(GPT.create(CFG, 1), ScalarHead.create(CFG.nEmbd(), 1)),
                tc(4, 3e-3).withEval(2, 1).withCheckpointInterval(2), tr, va), "val_accuracy",
                t -> ((RewardTask) t).rewardModel().head().state());
    }

    @Test
    void dpoResumesBitForBit() {
        List<PreferenceTokens> tr = pairs(24, 1), va = pairs(8, 2);
        resumesBitForBit(i -> new DpoTask(GPT.create(CFG, 1), GPT.create(CFG, 1),
                tc(4, 3e-3).withEval(2, 1).withCheckpointInterval(2), 0.1, tr, va), "val_accuracy", t -> new float[0]);
    }

    @Test
    void ppoResumesBitForBit() {
        PpoConfig pc = new PpoConfig(0.05, 1.0, 0.95, 0.2, 0.2, 0.1, 2, 3, 1.0, -1);
        List<int[]> tr = prompts(24, 1), va = prompts(8, 2);
        resumesBitForBit(i -> new PpoTask(GPT.create(CFG, 1), GPT.create(CFG, 1), ScalarHead.create(CFG.nEmbd(), 1),
                tc(4, 3e-3).withEval(2, 1).withCheckpointInterval(2), pc, tr, va, CHECKER), "val_reward",
                t -> ((PpoTask) t).valueHead().state());
    }

    @Test
    void aCheckpointOfAnotherKindIsRefused() {
        TrainConfig tc = tc(1, 3e-3);
        try (GPT g = GPT.create(CFG, 1); GPT ref = GPT.create(CFG, 1)) {
            DpoTask dpo = new DpoTask(g, ref, tc, 0.1, pairs(8, 1), pairs(4, 2));
            Checkpoint c = loop(dpo, tc, null, "val_accuracy").checkpoint();
            RewardTask rt = new RewardTask(new RewardModel(g, ScalarHead.create(CFG.nEmbd(), 1)), tc, pairs(8, 1),
                    pairs(4, 2));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> loop(rt, tc, null, "val_accuracy").resume(c, "x.bin"));
            assertTrue(e.getMessage().contains("x.bin") && e.getMessage().contains("dpo"), e.getMessage());
        }
    }
}
