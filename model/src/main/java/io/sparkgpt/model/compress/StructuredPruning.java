package io.sparkgpt.model.compress;

import io.sparkgpt.model.infer.ModelShape;
import io.sparkgpt.model.infer.ModelWeights;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Structured pruning: whole attention heads and whole MLP neurons are removed, so the pruned model is really smaller
 * ({@link #shrink}: fewer heads per layer, a narrower MLP; an {@link io.sparkgpt.model.infer.InferenceModel} of fewer
 * FLOPs and bytes). Importance is by magnitude of what a unit writes into the residual stream: a head scores
 * {@code ||W_v(head)||_F * ||W_proj(:, head)||_F}, a neuron {@code ||W_fc(n, :)|| * ||W_fc2(:, n)||}. In each layer the
 * lowest-scoring {@code fraction} of heads (and of neurons) goes, at least one of each is kept.
 *
 * <p>The same choice as a {@link PruneMask} ({@link #mask}) zeroes those units inside the dense model: a head whose
 * projection columns are zero and a neuron whose up-row and down-column are zero contribute nothing, so the dense
 * masked model and the shrunk model compute the same logits. That is how a structurally pruned model is fine-tuned
 * with the dense training engine (masks kept through every step) and then shrunk.
 */
public final class StructuredPruning {
    private StructuredPruning() {}

    /** Kept head and neuron indices per layer, ascending. */
    public record Plan(int[][] keptHeads, int[][] keptNeurons) {
        public int heads(int layer) {
            return keptHeads[layer].length;
        }

        public int neurons(int layer) {
            return keptNeurons[layer].length;
        }
    }

    public static Plan plan(ModelWeights w, double headFraction, double neuronFraction) {
        for (double f : new double[] {headFraction, neuronFraction}) {
            if (!(f >= 0 && f < 1)) {
                throw new IllegalArgumentException("pruning fraction must be in [0, 1): " + f);
            }
        }
        ModelShape s = w.shape();
        int L = s.nLayer(), C = s.nEmbd(), hs = s.headSize();
        int[][] kh = new int[L][], kn = new int[L][];
        for (int l = 0; l < L; l++) {
            String p = "h." + l + ".";
            int H = s.heads(l), A = s.attnWidth(l), F = s.mlpWidth(l);
            float[] qkv = w.get(p + "attn.qkv.w"), proj = w.get(p + "attn.proj.w");
            double[] hScore = new double[H];
            for (int h = 0; h < H; h++) {
                double v = 0, o = 0;
                for (int i = 0; i < hs; i++) {
                    int row = 2 * A + h * hs + i;
                    for (int c = 0; c < C; c++) {
                        v += sq(qkv[row * C + c]);
                        o += sq(proj[c * A + h * hs + i]);
                    }
                }
                hScore[h] = Math.sqrt(v) * Math.sqrt(o);
            }
            float[] fc = w.get(p + "mlp.fc.w"), fc2 = w.get(p + "mlp.proj.w");
            double[] nScore = new double[F];
            for (int n = 0; n < F; n++) {
                double a = 0, b = 0;
                for (int c = 0; c < C; c++) {
                    a += sq(fc[n * C + c]);
                    b += sq(fc2[c * F + n]);
                }
                nScore[n] = Math.sqrt(a) * Math.sqrt(b);
            }
            kh[l] = keep(hScore, H - Math.min(H - 1, (int) Math.round(headFraction * H)));
            kn[l] = keep(nScore, F - Math.min(F - 1, (int) Math.round(neuronFraction * F)));
        }
        return new Plan(kh, kn);
    }

    private static double sq(float x) {
        return (double) x * x;
    }

    /** Indices of the {@code k} highest scores (ties: lower index), ascending. */
    static int[] keep(double[] score, int k) {
        Integer[] idx = new Integer[score.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> {
            int c = Double.compare(score[b], score[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = idx[i];
        }
        Arrays.sort(out);
        return out;
    }

    /** The plan as a mask over the dense weights (q, k, v rows and biases and projection columns of dropped heads; up rows, biases and down columns of dropped neurons). */
    public static PruneMask mask(ModelWeights w, Plan plan) {
        ModelShape s = w.shape();
        int C = s.nEmbd(), hs = s.headSize();
        Map<String, BitSet> m = new LinkedHashMap<>();
        for (int l = 0; l < s.nLayer(); l++) {
            String p = "h." + l + ".";
            int H = s.heads(l), A = s.attnWidth(l), F = s.mlpWidth(l);
            BitSet qkv = new BitSet(), qkvb = new BitSet(), proj = new BitSet(), fc = new BitSet(), fcb = new BitSet(),
                    fc2 = new BitSet();
            for (int h : dropped(plan.keptHeads()[l], H)) {
                for (int part = 0; part < 3; part++) {
                    for (int i = 0; i < hs; i++) {
                        int row = part * A + h * hs + i;
                        qkv.set(row * C, (row + 1) * C);
                        qkvb.set(row);
                    }
                }
                for (int c = 0; c < C; c++) {
                    proj.set(c * A + h * hs, c * A + (h + 1) * hs);
                }
            }
            for (int n : dropped(plan.keptNeurons()[l], F)) {
                fc.set(n * C, (n + 1) * C);
                fcb.set(n);
                for (int c = 0; c < C; c++) {
                    fc2.set(c * F + n);
                }
            }
            m.put(p + "attn.qkv.w", qkv);
            m.put(p + "attn.proj.w", proj);
            m.put(p + "mlp.fc.w", fc);
            m.put(p + "mlp.proj.w", fc2);
            if (s.bias()) {
                m.put(p + "attn.qkv.b", qkvb);
                m.put(p + "mlp.fc.b", fcb);
            }
        }
        return new PruneMask(m);
    }

    private static int[] dropped(int[] kept, int n) {
        BitSet k = new BitSet(n);
        for (int i : kept) {
            k.set(i);
        }
        return java.util.stream.IntStream.range(0, n).filter(i -> !k.get(i)).toArray();
    }

    /** The smaller model: only the kept heads and neurons, every other tensor as it is. */
    public static ModelWeights shrink(ModelWeights w, Plan plan) {
        ModelShape s = w.shape();
        int L = s.nLayer(), C = s.nEmbd(), hs = s.headSize();
        int[] heads = new int[L], widths = new int[L];
        Map<String, float[]> t = new LinkedHashMap<>(w.tensors());
        for (int l = 0; l < L; l++) {
            String p = "h." + l + ".";
            int A = s.attnWidth(l), F = s.mlpWidth(l);
            int[] kh = plan.keptHeads()[l], kn = plan.keptNeurons()[l];
            int A2 = kh.length * hs, F2 = kn.length;
            heads[l] = kh.length;
            widths[l] = F2;
            float[] qkv = w.get(p + "attn.qkv.w"), qkv2 = new float[3 * A2 * C];
            float[] qkvb = s.bias() ? w.get(p + "attn.qkv.b") : null, qkvb2 = s.bias() ? new float[3 * A2] : null;
            for (int part = 0; part < 3; part++) {
                for (int j = 0; j < kh.length; j++) {
                    for (int i = 0; i < hs; i++) {
                        int src = part * A + kh[j] * hs + i, dst = part * A2 + j * hs + i;
                        System.arraycopy(qkv, src * C, qkv2, dst * C, C);
                        if (qkvb != null) {
                            qkvb2[dst] = qkvb[src];
                        }
                    }
                }
            }
            float[] proj = w.get(p + "attn.proj.w"), proj2 = new float[C * A2];
            for (int c = 0; c < C; c++) {
                for (int j = 0; j < kh.length; j++) {
                    System.arraycopy(proj, c * A + kh[j] * hs, proj2, c * A2 + j * hs, hs);
                }
            }
            float[] fc = w.get(p + "mlp.fc.w"), fc2 = w.get(p + "mlp.proj.w");
            float[] fcN = new float[F2 * C], fc2N = new float[C * F2];
            float[] fcb = s.bias() ? w.get(p + "mlp.fc.b") : null, fcbN = s.bias() ? new float[F2] : null;
            for (int j = 0; j < F2; j++) {
                System.arraycopy(fc, kn[j] * C, fcN, j * C, C);
                if (fcb != null) {
                    fcbN[j] = fcb[kn[j]];
                }
                for (int c = 0; c < C; c++) {
                    fc2N[c * F2 + j] = fc2[c * F + kn[j]];
                }
            }
            t.put(p + "attn.qkv.w", qkv2);
            t.put(p + "attn.proj.w", proj2);
            t.put(p + "mlp.fc.w", fcN);
            t.put(p + "mlp.proj.w", fc2N);
            if (s.bias()) {
                t.put(p + "attn.qkv.b", qkvb2);
                t.put(p + "mlp.fc.b", fcbN);
            }
        }
        ModelShape shape = new ModelShape(s.vocabSize(), s.blockSize(), C, hs, heads, widths, s.bias(),
                s.tiedEmbeddings(), s.exactGelu());
        return new ModelWeights(shape, t);
    }
}
