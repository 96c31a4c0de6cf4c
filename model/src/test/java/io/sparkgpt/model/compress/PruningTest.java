package io.sparkgpt.model.compress;

import static org.junit.jupiter.api.Assertions.*;

import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.model.infer.InferenceModel;
import io.sparkgpt.model.infer.ModelWeights;
import io.sparkgpt.model.infer.Precision;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PruningTest {

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

    @Test
    void magnitudeMaskPrunesExactlyTheSmallestWeightsOfEachMatrix() {
        GPTConfig c = new GPTConfig(40, 16, 2, 2, 32, 0.0, true, true);
        try (GPT g = model(c, 1)) {
            ModelWeights w = ModelWeights.of(g);
            PruneMask m = MagnitudePruning.mask(w, 0.6);
            ModelWeights pw = m.applyTo(w);
            for (String n : ModelWeights.matrixNames(w.shape())) {
                float[] a = w.get(n), b = pw.get(n);
                BitSet bits = m.pruned().get(n);
                assertEquals(Math.round(0.6 * a.length), bits.cardinality(), n);
                float maxPruned = 0, minKept = Float.MAX_VALUE;
                int zeros = 0;
                for (int i = 0; i < a.length; i++) {
                    if (bits.get(i)) {
                        maxPruned = Math.max(maxPruned, Math.abs(a[i]));
                        assertEquals(0f, b[i]);
                        zeros++;
                    } else {
                        minKept = Math.min(minKept, Math.abs(a[i]));
                        assertEquals(a[i], b[i]);
                    }
                }
                assertTrue(maxPruned <= minKept, n + ": a pruned weight is larger than a kept one");
                assertEquals(bits.cardinality(), zeros);
            }
            // embeddings, LayerNorms and biases untouched
            assertArrayEquals(w.get("wte"), pw.get("wte"));
            assertArrayEquals(w.get("h.0.ln1.w"), pw.get("h.0.ln1.w"));
            assertArrayEquals(w.get("h.1.attn.qkv.b"), pw.get("h.1.attn.qkv.b"));
        }
    }

    @Test
    void maskedFineTuneKeepsPrunedWeightsAtZeroAndLearns() {
        GPTConfig c = new GPTConfig(12, 8, 1, 2, 16, 0.0, false, true);
        try (GPT g = model(c, 2)) {
            PruneMask m = MagnitudePruning.mask(ModelWeights.of(g), 0.5);
            int[] tokens = new int[400];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = (i * 7) % 12; // a learnable periodic sequence
            }
            TrainConfig tc = TrainConfig.defaults().withBatch(4, 1).withMaxSteps(30).withWarmupSteps(2)
                    .withLearningRate(1e-2);
            ModelWeights before = m.applyTo(ModelWeights.of(g));
            double first = g.loss(new int[][] {java.util.Arrays.copyOf(tokens, 8)},
                    new int[][] {java.util.Arrays.copyOfRange(tokens, 1, 9)});
            MaskedFineTune.run(g, m, tokens, tc);
            double last = g.loss(new int[][] {java.util.Arrays.copyOf(tokens, 8)},
                    new int[][] {java.util.Arrays.copyOfRange(tokens, 1, 9)});
            assertTrue(last < first, "fine-tune lowers the loss: " + first + " -> " + last);
            ModelWeights after = ModelWeights.of(g);
            int changed = 0;
            for (var e : m.pruned().entrySet()) {
                float[] a = after.get(e.getKey()), b = before.get(e.getKey());
                for (int i = 0; i < a.length; i++) {
                    if (e.getValue().get(i)) {
                        assertEquals(0f, a[i], e.getKey() + "[" + i + "] must stay pruned");
                    } else if (a[i] != b[i]) {
                        changed++;
                    }
                }
            }
            assertTrue(changed > 100, "kept weights are trained: " + changed);
        }
    }

    @Test
    void structuredPruningMakesASmallerModelWithTheMaskedModelsLogits() {
        for (boolean bias : new boolean[] {true, false}) {
            GPTConfig c = new GPTConfig(30, 12, 2, 4, 32, 0.0, bias, !bias);
            try (GPT g = model(c, 3)) {
                ModelWeights w = ModelWeights.of(g);
                StructuredPruning.Plan plan = StructuredPruning.plan(w, 0.5, 0.25);
                assertEquals(2, plan.heads(0));
                assertEquals(96, plan.neurons(1));
                ModelWeights small = StructuredPruning.shrink(w, plan);
                ModelWeights masked = StructuredPruning.mask(w, plan).applyTo(w);
                assertArrayEquals(new int[] {2, 2}, small.shape().heads());
                assertArrayEquals(new int[] {96, 96}, small.shape().mlpWidths());
                assertTrue(small.numParams() < w.numParams());
                int[] ctx = {1, 5, 9, 2, 28, 0, 7, 7, 3, 11, 19, 4};
                try (InferenceModel a = InferenceModel.of(masked, Precision.FLOAT32);
                     InferenceModel b = InferenceModel.of(small, Precision.FLOAT32);
                     InferenceModel full = InferenceModel.of(w, Precision.FLOAT32)) {
                    assertTrue(b.weightBytes() < full.weightBytes());
                    float[][] la = a.logitsAll(ctx), lb = b.logitsAll(ctx);
                    for (int t = 0; t < ctx.length; t++) {
                        for (int v = 0; v < 30; v++) {
                            assertEquals(la[t][v], lb[t][v], 1e-4 * (1 + Math.abs(la[t][v])), "bias=" + bias);
                        }
                    }
                    // and decoding with the cache on the smaller model works like on any other
                    var s = b.newSession();
                    b.prefill(s, java.util.Arrays.copyOf(ctx, 11));
                    float[] st = b.step(List.of(s), new int[] {ctx[11]})[0];
                    assertEquals(lb[11][3], st[3], 1e-4 * (1 + Math.abs(st[3])));
                }
                // importance decides: a head that writes nothing (zero projection columns) goes, a loud one stays
                float[] proj = w.get("h.0.attn.proj.w").clone(), qkv = w.get("h.0.attn.qkv.w").clone();
                for (int cc = 0; cc < 32; cc++) {
                    for (int i = 0; i < 8; i++) {
                        proj[cc * 32 + 1 * 8 + i] = 0f;
                        proj[cc * 32 + 2 * 8 + i] *= 10f;
                    }
                }
                ModelWeights edited = w.with(java.util.Map.of("h.0.attn.proj.w", proj, "h.0.attn.qkv.w", qkv));
                int[] kept = StructuredPruning.plan(edited, 0.5, 0).keptHeads()[0];
                assertTrue(java.util.Arrays.binarySearch(kept, 2) >= 0, java.util.Arrays.toString(kept));
                assertTrue(java.util.Arrays.binarySearch(kept, 1) < 0, java.util.Arrays.toString(kept));
            }
        }
    }
}
