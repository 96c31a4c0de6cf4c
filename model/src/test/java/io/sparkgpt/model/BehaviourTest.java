package io.sparkgpt.model;

import static io.sparkgpt.model.GPTTest.randomBatch;
import static org.junit.jupiter.api.Assertions.*;

import io.sparkgpt.common.io.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BehaviourTest {
    static final GPTConfig TINY = new GPTConfig(13, 12, 2, 2, 16, 0.0, true, true);

    @Test
    void changingAFutureTokenNeverChangesEarlierLogits() {
        try (GPT g = GPT.create(TINY, 11)) {
            int[] ctx = {1, 5, 7, 2, 9, 3, 3, 0, 12, 4, 6, 8};
            float[][] base = g.allLogits(ctx);
            for (int pos = 0; pos < ctx.length; pos++) {
                int[] changed = ctx.clone();
                changed[pos] = (ctx[pos] + 5) % 13;
                float[][] after = g.allLogits(changed);
                for (int t = 0; t < pos; t++) {
                    assertArrayEquals(base[t], after[t], "position " + t + " changed when token " + pos + " changed");
                }
                assertFalse(Arrays.equals(base[pos], after[pos]), "the changed position itself must change");
            }
        }
    }

    @Test
    void accumulatingMicroBatchesEqualsOneLargeBatch() {
        GPTConfig c = TINY.withDropout(0.0);
        int[][][] b = randomBatch(6, 12, 13, 21);
        TrainConfig big = TrainConfig.defaults().withBatch(6, 1);
        TrainConfig acc = TrainConfig.defaults().withBatch(2, 3);
        try (GPT g1 = GPT.create(c, 4); GPT g2 = GPT.create(c, 4)) {
            double l1 = 0, l2 = 0;
            for (int s = 0; s < 3; s++) {
                l1 = g1.trainStep(b[0], b[1], 1e-3, big);
                l2 = g2.trainStep(b[0], b[1], 1e-3, acc);
                float[] ga = g1.gradientCopy(), gb = g2.gradientCopy();
                for (int i = 0; i < ga.length; i++) {
                    assertEquals(ga[i], gb[i], 1e-6 + 1e-4 * Math.abs(ga[i]), "gradient " + i + " at step " + s);
                }
            }
            assertEquals(l1, l2, 1e-6);
            float[] p1 = g1.params(), p2 = g2.params();
            for (int i = 0; i < p1.length; i++) {
                assertEquals(p1[i], p2[i], 1e-5, "param " + i);
            }
        }
    }

    @Test
    void stopAndResumeGivesTheSameParametersBitForBit(@TempDir Path dir) {
        GPTConfig c = TINY.withDropout(0.1);
        TrainConfig tc = TrainConfig.defaults().withBatch(2, 2).withMaxSteps(8).withWarmupSteps(2).withEval(3, 2)
                .withCheckpointInterval(4);
        int[] tokens = new Rng(3).nextLong() > 0 ? stream(3000) : stream(3000);
        int[] val = stream(500);
        Storage st = Storage.local();
        String full = dir.resolve("full").toString(), part = dir.resolve("part").toString();
        float[] uninterrupted;
        try (GPT g = GPT.create(c, tc.seed())) {
            new TrainLoop(g, tc, tokens, val, st, full, null, Map.of()).run(Long.MAX_VALUE);
            uninterrupted = g.params();
        }
        try (GPT g = GPT.create(c, tc.seed())) {
            TrainLoop.Result r = new TrainLoop(g, tc, tokens, val, st, part, null, Map.of()).run(4);
            assertEquals(4, r.steps());
        }
        Checkpoint ck = Checkpoint.load(st, part + "/" + TrainLoop.CHECKPOINT, c);
        assertEquals(4, ck.step());
        try (GPT g = GPT.create(c, 999)) { // a different seed: everything must come from the checkpoint
            TrainLoop loop = new TrainLoop(g, tc, tokens, val, st, part, null, Map.of());
            loop.resume(ck, "ckpt");
            loop.run(Long.MAX_VALUE);
            assertArrayEquals(uninterrupted, g.params());
        }
        assertEquals(st.readString(full + "/" + TrainLoop.METRICS).lines().filter(l -> l.contains("val_loss")).count(),
                st.readString(part + "/" + TrainLoop.METRICS).lines().filter(l -> l.contains("val_loss")).count());
    }

    static int[] stream(int n) {
        Rng r = new Rng(n);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = (i % 7 == 0) ? r.nextInt(13) : (t[Math.max(0, i - 1)] + 1) % 13; // learnable structure
        }
        return t;
    }

    @Test
    void earlyStoppingStopsAfterPatienceEvaluationsWithoutImprovement() {
        // lr so high that validation loss cannot keep improving
        TrainConfig tc = TrainConfig.defaults().withBatch(2, 1).withMaxSteps(200).withWarmupSteps(0).withEval(2, 1)
                .withPatience(2).withLearningRate(0.5).withGradClip(0);
        try (GPT g = GPT.create(TINY, 2)) {
            TrainLoop.Result r = new TrainLoop(g, tc, stream(2000), stream(400), Storage.local(), null, null,
                    Map.of()).run(Long.MAX_VALUE);
            assertTrue(r.stoppedEarly(), "stopped early");
            assertTrue(r.steps() < 200);
        }
    }

    @Test
    void kvCacheMatchesFullForwardWithTheExactGelu() {
        try (GPT g = GPT.create(TINY.withExactGelu(true), 5); GPT t = GPT.create(TINY, 5)) {
            int[] ctx = {4, 8, 1, 0, 12, 7, 7, 3};
            float[][] full = g.allLogits(ctx);
            assertFalse(Arrays.equals(full[7], t.allLogits(ctx)[7]), "the GELU form changes the logits");
            try (KvCache kv = g.kvCache()) {
                for (int p = 0; p < ctx.length; p++) {
                    float[] inc = kv.next(ctx[p]);
                    for (int i = 0; i < inc.length; i++) {
                        assertEquals(full[p][i], inc[i], 1e-4, "pos " + p + " id " + i);
                    }
                }
            }
        }
    }

    @Test
    void seededSamplingIsReproducibleAndKvCacheMatchesFullForward() {
        try (GPT g = GPT.create(TINY, 5)) {
            int[] prompt = {1, 2, 3};
            Sampler.Options o = new Sampler.Options(30, 1.0, 0, 1.0, 42, -1, true);
            int[] a = Sampler.generate(g, prompt, o);
            int[] b = Sampler.generate(g, prompt, o);
            assertArrayEquals(a, b);
            assertEquals(30, a.length);
            int[] other = Sampler.generate(g, prompt, new Sampler.Options(30, 1.0, 0, 1.0, 43, -1, true));
            assertFalse(Arrays.equals(a, other), "another seed gives another sample");
            // the KV cache gives the logits of the full forward pass
            int[] ctx = {4, 8, 1, 0, 12, 7, 7, 3};
            float[][] full = g.allLogits(ctx);
            try (KvCache kv = g.kvCache()) {
                for (int t = 0; t < ctx.length; t++) {
                    float[] inc = kv.next(ctx[t]);
                    for (int i = 0; i < inc.length; i++) {
                        assertEquals(full[t][i], inc[i], 1e-4, "pos " + t + " id " + i);
                    }
                }
            }
            // greedy decoding is identical with and without the cache, also past blockSize (crop fallback)
            Sampler.Options greedy = new Sampler.Options(20, 0.0, 0, 1.0, 1, -1, true);
            assertArrayEquals(Sampler.generate(g, prompt, greedy), Sampler.generate(g, prompt,
                    new Sampler.Options(20, 0.0, 0, 1.0, 1, -1, false)));
            // stop at EOT
            int first = Sampler.generate(g, prompt, greedy)[0];
            assertArrayEquals(new int[] {first}, Sampler.generate(g, prompt,
                    new Sampler.Options(20, 0.0, 0, 1.0, 1, first, true)));
        }
    }

    @Test
    void topKAndTopPNeverEmitExcludedTokens() {
        float[] logits = {2.0f, 1.0f, 0.5f, 3.0f, -1.0f, 2.5f, 0.0f, 1.5f};
        Rng r = new Rng(1);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 5000; i++) {
            int id = Sampler.pick(logits, 1.5, 3, 1.0, r);
            assertTrue(id == 3 || id == 5 || id == 0, "top-3 emitted " + id);
            seen.add(id);
        }
        assertEquals(Set.of(0, 3, 5), seen);
        // top-p: probabilities at T=1 sorted: id3 .348, id5 .211, id0 .128, ... -> p=0.5 keeps {3, 5}
        seen.clear();
        for (int i = 0; i < 5000; i++) {
            int id = Sampler.pick(logits, 1.0, 0, 0.5, r);
            assertTrue(id == 3 || id == 5, "top-p emitted " + id);
            seen.add(id);
        }
        assertEquals(Set.of(3, 5), seen);
        assertEquals(3, Sampler.pick(logits, 0.0, 0, 1.0, r), "greedy");
    }

    @Test
    void badInputGivesErrorsNamingTheFieldOrFile(@TempDir Path dir) throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GPTConfig(10, 8, 1, 3, 16, 0.0, true, true));
        assertTrue(e.getMessage().contains("nEmbd=16") && e.getMessage().contains("nHead=3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GPTConfig(10, 8, 1, 2, 16, 1.0, true, true));
        assertTrue(e.getMessage().contains("dropout"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.defaults().withBatch(0, 1));
        assertTrue(e.getMessage().contains("microBatchSize"), e.getMessage());
        Storage st = Storage.local();
        String path = dir.resolve("c.bin").toString();
        try (GPT g = GPT.create(TINY, 1)) {
            int[] tooLong = new int[TINY.blockSize() + 1];
            e = assertThrows(IllegalArgumentException.class, () -> g.logits(tooLong));
            assertTrue(e.getMessage().contains("blockSize=12") && e.getMessage().contains("13"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> g.loss(new int[][] {{1, 99}}, new int[][] {{1, 2}}));
            assertTrue(e.getMessage().contains("vocabSize"), e.getMessage());
            Checkpoint.of(g, TrainConfig.defaults(), 3, List.of(new TokenWindows.State(1, 2)), 1.5, 0, Map.of("k", "v"))
                    .save(st, path);
        }
        Checkpoint back = Checkpoint.load(st, path, TINY);
        assertEquals(3, back.step());
        assertEquals("v", back.meta().get("k"));
        GPTConfig other = new GPTConfig(13, 12, 2, 2, 32, 0.0, true, true);
        e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(st, path, other));
        assertTrue(e.getMessage().contains("GPTConfig.nEmbd=16") && e.getMessage().contains(path), e.getMessage());
        try (GPT g2 = GPT.create(other, 1)) {
            e = assertThrows(IllegalArgumentException.class, () -> back.restoreInto(g2, "ck"));
            assertTrue(e.getMessage().contains("nEmbd"), e.getMessage());
        }
        byte[] bytes = Files.readAllBytes(Path.of(path));
        Path cut = dir.resolve("cut.bin");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 100));
        e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(st, cut.toString()));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("cut.bin"), e.getMessage());
        Files.write(cut, Arrays.copyOf(bytes, 10));
        e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(st, cut.toString()));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        bytes[bytes.length - 20] ^= 1;
        Files.write(cut, bytes);
        e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(st, cut.toString()));
        assertTrue(e.getMessage().contains("CRC"), e.getMessage());
    }

    @Test
    void learningRateScheduleWarmsUpThenDecaysToTheFloor() {
        LrSchedule s = new LrSchedule(1e-3, 1e-4, 10, 100);
        assertEquals(1e-3 / 11, s.at(0), 1e-12);
        assertEquals(1e-3, s.at(10), 1e-12);
        assertEquals(0.5 * (1e-3 + 1e-4), s.at(55), 1e-9);
        assertEquals(1e-4, s.at(100), 1e-12);
        assertEquals(1e-4, s.at(5000), 1e-12);
        for (int i = 11; i < 100; i++) {
            assertTrue(s.at(i) <= s.at(i - 1));
        }
    }

    @Test
    void tokenWindowsResumeFromTheirState() {
        int[] t = stream(1000);
        TokenWindows a = new TokenWindows(t, 8, 5);
        a.next(3);
        TokenWindows.State s = a.state();
        TokenWindows.Batch next = a.next(4);
        TokenWindows b = new TokenWindows(t, 8, 123);
        b.restore(s);
        TokenWindows.Batch again = b.next(4);
        assertArrayEquals(next.x(), again.x());
        assertArrayEquals(next.y(), again.y());
        for (int r = 0; r < 4; r++) {
            for (int i = 0; i < 7; i++) {
                assertEquals(next.x()[r][i + 1], next.y()[r][i]);
            }
        }
    }
}
