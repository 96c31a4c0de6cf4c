package io.sparkgpt.model.infer;

import static org.junit.jupiter.api.Assertions.*;

import io.sparkgpt.common.io.Storage;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InferenceModelTest {

    /** A GPT with weights larger than GPT-2's init, so that logits differ visibly between tokens and positions. */
    static GPT model(GPTConfig c, long seed) {
        GPT g = GPT.create(c, seed);
        float[] p = g.params();
        Random r = new Random(seed);
        for (int i = 0; i < p.length; i++) {
            p[i] += (float) (r.nextGaussian() * 0.1);
        }
        g.setParams(p);
        return g;
    }

    static int[] tokens(int n, int V, long seed) {
        Random r = new Random(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(V);
        }
        return t;
    }

    /** max |a - b| / (1 + max |b|) over all entries. */
    static double relErr(float[] a, float[] b) {
        double mx = 0, d = 0;
        for (int i = 0; i < a.length; i++) {
            mx = Math.max(mx, Math.abs(b[i]));
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d / (1 + mx);
    }

    // C = 48 (3 heads of 16): one full and one partial Q8_0 block per row
    static final GPTConfig[] CONFIGS = {
        new GPTConfig(61, 24, 2, 3, 48, 0.0, true, true),
        new GPTConfig(61, 24, 2, 3, 48, 0.0, false, false, true),
    };

    /** Float32 tolerance: the same arithmetic in another order (BLAS blocking, attention sums). */
    static final double FLOAT_TOL = 2e-5;

    @Test
    void float32LogitsEqualTheTrainingEngineAtEveryPosition() {
        for (GPTConfig c : CONFIGS) {
            try (GPT g = model(c, 7); InferenceModel m = InferenceModel.of(g, Precision.FLOAT32)) {
                int[] ctx = tokens(c.blockSize(), c.vocabSize(), 3);
                float[][] ref = g.allLogits(ctx);
                float[][] all = m.logitsAll(ctx);
                // prefill half, then one token at a time
                Session s = m.newSession();
                float[] last = m.prefill(s, java.util.Arrays.copyOf(ctx, 10));
                assertTrue(relErr(last, ref[9]) < FLOAT_TOL, c + " prefill");
                for (int t = 0; t < ctx.length; t++) {
                    assertTrue(relErr(all[t], ref[t]) < FLOAT_TOL, c + " logitsAll at " + t + ": "
                            + relErr(all[t], ref[t]));
                    if (t >= 10) {
                        float[] st = m.step(List.of(s), new int[] {ctx[t]})[0];
                        assertTrue(relErr(st, ref[t]) < FLOAT_TOL, c + " step at " + t);
                    }
                }
                assertTrue(s.full());
                assertEquals(c.blockSize(), s.length());
                // the old KvCache agrees too
                try (var kv = g.kvCache()) {
                    float[] k = null;
                    for (int t : ctx) {
                        k = kv.next(t);
                    }
                    assertTrue(relErr(all[ctx.length - 1], k) < FLOAT_TOL);
                }
            }
        }
    }

    @Test
    void oneBatchedStepEqualsEachSequenceAlone() {
        GPTConfig c = CONFIGS[0];
        try (GPT g = model(c, 11); InferenceModel m = InferenceModel.of(g, Precision.FLOAT32)) {
            int[][] prompts = {tokens(3, 61, 1), tokens(9, 61, 2), tokens(1, 61, 3), tokens(17, 61, 4)};
            Session[] s = new Session[prompts.length];
            for (int i = 0; i < prompts.length; i++) {
                s[i] = m.newSession();
                m.prefill(s[i], prompts[i]);
            }
            int[] next = {5, 17, 60, 0};
            float[][] out = m.step(List.of(s), next);
            for (int i = 0; i < prompts.length; i++) {
                int[] ctx = java.util.Arrays.copyOf(prompts[i], prompts[i].length + 1);
                ctx[ctx.length - 1] = next[i];
                float[] ref = g.logits(ctx);
                assertTrue(relErr(out[i], ref) < FLOAT_TOL, "session " + i);
                assertEquals(ctx.length, s[i].length());
            }
            // sessions join and leave between steps: a subset, in another order
            float[][] out2 = m.step(List.of(s[3], s[1]), new int[] {7, 8});
            int[] ctx3 = new int[prompts[3].length + 2];
            System.arraycopy(prompts[3], 0, ctx3, 0, prompts[3].length);
            ctx3[ctx3.length - 2] = 0;
            ctx3[ctx3.length - 1] = 7;
            assertTrue(relErr(out2[0], g.logits(ctx3)) < FLOAT_TOL);
        }
    }

    @Test
    void badUseIsRefusedWithAClearError() {
        GPTConfig c = CONFIGS[0];
        try (GPT g = model(c, 1); InferenceModel m = InferenceModel.of(g, Precision.FLOAT32);
             InferenceModel other = InferenceModel.of(g, Precision.FLOAT32)) {
            Session s = m.newSession();
            assertThrows(IllegalArgumentException.class, () -> m.prefill(s, new int[0]));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.prefill(s, new int[] {1, 61}));
            assertTrue(e.getMessage().contains("61"), e.getMessage());
            assertEquals(0, s.length(), "a refused prefill leaves the session as it was");
            assertThrows(IllegalStateException.class, () -> m.prefill(s, new int[25]));
            assertThrows(IllegalArgumentException.class, () -> m.step(List.of(s, s), new int[] {1, 2}));
            assertThrows(IllegalArgumentException.class, () -> other.step(List.of(s), new int[] {1}));
            m.prefill(s, new int[24]);
            assertThrows(IllegalStateException.class, () -> m.step(List.of(s), new int[] {1}));
            s.reset();
            assertEquals(61, m.step(List.of(s), new int[] {1})[0].length);
        }
    }

    @Test
    void int8ComputesCloseToFloat32InAQuarterOfTheMemory() {
        for (GPTConfig c : CONFIGS) {
            try (GPT g = model(c, 5); InferenceModel f = InferenceModel.of(g, Precision.FLOAT32);
                 InferenceModel q = InferenceModel.of(g, Precision.INT8)) {
                int[] ctx = tokens(c.blockSize(), c.vocabSize(), 9);
                float[][] a = f.logitsAll(ctx), b = q.logitsAll(ctx);
                double worst = 0;
                for (int t = 0; t < ctx.length; t++) {
                    worst = Math.max(worst, relErr(b[t], a[t]));
                }
                // Q8_0 keeps ~8 bits per weight: logits move by about 1% of their range in this random model (0.3-1.3%)
                assertTrue(worst < 3e-2, c + ": int8 vs float32 " + worst);
                assertTrue(worst > 0, "int8 must differ from float32 somewhere (else it is not computing in int8)");
                double ratio = (double) q.weightBytes() / f.weightBytes();
                assertTrue(ratio > 0.2 && ratio < 0.4, "int8/float32 bytes " + ratio);
            }
        }
    }

    @Test
    void modelFileRoundTripsAndRefusesDamage(@TempDir Path dir) throws Exception {
        GPTConfig c = CONFIGS[1];
        Storage st = Storage.local();
        try (GPT g = model(c, 3)) {
            String ckpt = dir.resolve("model.ckpt").toString();
            Checkpoint.of(g, null, 0, List.of(), Double.MAX_VALUE, 0, Map.of("tokenizer", "tok")).save(st, ckpt);
            int[] ctx = tokens(12, 61, 4);
            ModelFile mf = ModelFile.of(ModelWeights.of(g), Precision.INT8, Map.of("tokenizer", "tok"));
            String path = dir.resolve("model.int8").toString();
            mf.save(st, path);
            try (InferenceModel direct = mf.toModel(null); InferenceModel loaded = InferenceModel.load(path, null);
                 InferenceModel fromCkpt = InferenceModel.load(ckpt, Precision.INT8)) {
                assertEquals(Precision.INT8, loaded.precision());
                assertArrayEquals(direct.logitsAll(ctx)[11], loaded.logitsAll(ctx)[11]);
                assertArrayEquals(direct.logitsAll(ctx)[11], fromCkpt.logitsAll(ctx)[11]);
            }
            long fileSize = Files.size(Path.of(path)), ckptFloats = 4 * GPT.countParams(c);
            assertTrue(fileSize < 0.35 * ckptFloats, fileSize + " bytes vs " + ckptFloats);
            assertEquals("tok", ModelFile.load(st, path).meta().get("tokenizer"));
            byte[] b = Files.readAllBytes(Path.of(path));
            b[b.length / 2] ^= 1;
            Files.write(dir.resolve("bad.int8"), b);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> InferenceModel.load(dir.resolve("bad.int8").toString(), null));
            assertTrue(e.getMessage().contains("bad.int8") && e.getMessage().contains("CRC32"), e.getMessage());
            Files.write(dir.resolve("short.int8"), java.util.Arrays.copyOf(b, 100));
            assertThrows(IllegalArgumentException.class,
                    () -> InferenceModel.load(dir.resolve("short.int8").toString(), null));
        }
    }
}
