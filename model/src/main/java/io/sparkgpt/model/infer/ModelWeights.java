package io.sparkgpt.model.infer;

import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's float weights by name, with its {@link ModelShape}: what pruning edits and what an
 * {@link InferenceModel} is built from. Names are {@link GPT#tensorNames()}'s ({@code wte}, {@code wpe},
 * {@code h.<l>.ln1.w}, {@code h.<l>.attn.qkv.w}, ..., {@code ln_f.w}, {@code lm_head.w} when untied); matrices are
 * PyTorch's Linear layout {@code [out][in]} row-major. In layer l, {@code attn.qkv.w} has {@code 3 * heads(l) * headSize}
 * rows (all q rows, then k, then v, head by head) and {@code mlp.fc.w} {@code mlpWidth(l)} rows.
 *
 * @param shape   the model's shape
 * @param tensors every tensor of the shape, by name (insertion order = GPT's layout order)
 */
public record ModelWeights(ModelShape shape, Map<String, float[]> tensors) {

    public ModelWeights {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        for (Map.Entry<String, int[]> e : expectedSizes(shape).entrySet()) {
            float[] t = tensors.get(e.getKey());
            long need = (long) e.getValue()[0] * e.getValue()[1];
            if (t == null) {
                throw new IllegalArgumentException("weights lack tensor " + e.getKey() + " of " + shape);
            }
            if (t.length != need) {
                throw new IllegalArgumentException("tensor " + e.getKey() + " has " + t.length + " floats, " + shape
                        + " needs " + need);
            }
        }
    }

    /** The tensor called {@code name}; an error names it when absent. */
    public float[] get(String name) {
        float[] t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor " + name + " in these weights");
        }
        return t;
    }

    /** The weights of {@code gpt} (a copy: training it afterwards changes nothing here). */
    public static ModelWeights of(GPT gpt) {
        float[] p = gpt.params();
        Map<String, float[]> t = new LinkedHashMap<>();
        for (String spec : gpt.tensorNames()) {
            int at = spec.lastIndexOf('@'), plus = spec.lastIndexOf('+');
            int off = Integer.parseInt(spec.substring(at + 1, plus)), size = Integer.parseInt(spec.substring(plus + 1));
            float[] a = new float[size];
            System.arraycopy(p, off, a, 0, size);
            t.put(spec.substring(0, at), a);
        }
        return new ModelWeights(ModelShape.of(gpt.config()), t);
    }

    /** The weights held by a training checkpoint. */
    public static ModelWeights of(Checkpoint c) {
        try (GPT g = GPT.create(c.config(), 0)) {
            g.setParams(c.params());
            return of(g);
        }
    }

    /**
     * Writes these (dense) weights into {@code gpt}'s parameters, whose config must have this shape: the way back
     * to the training engine, e.g. to fine-tune after unstructured pruning.
     */
    public void copyInto(GPT gpt) {
        if (!ModelShape.of(gpt.config()).equals(shape)) {
            throw new IllegalArgumentException("weights of " + shape + " do not fit a GPT of " + gpt.config());
        }
        float[] p = gpt.params();
        for (String spec : gpt.tensorNames()) {
            int at = spec.lastIndexOf('@'), plus = spec.lastIndexOf('+');
            int off = Integer.parseInt(spec.substring(at + 1, plus));
            float[] a = get(spec.substring(0, at));
            System.arraycopy(a, 0, p, off, a.length);
        }
        gpt.setParams(p);
    }

    /** A copy with some tensors replaced (same shape). */
    public ModelWeights with(Map<String, float[]> replaced) {
        Map<String, float[]> t = new LinkedHashMap<>(tensors);
        t.putAll(replaced);
        return new ModelWeights(shape, t);
    }

    /** Total floats. */
    public long numParams() {
        long n = 0;
        for (float[] a : tensors.values()) {
            n += a.length;
        }
        return n;
    }

    /** Names of the linear layers' weight matrices (what int8 quantizes and magnitude pruning prunes). */
    public static List<String> matrixNames(ModelShape s) {
        List<String> n = new ArrayList<>();
        for (int l = 0; l < s.nLayer(); l++) {
            for (String m : new String[] {"attn.qkv.w", "attn.proj.w", "mlp.fc.w", "mlp.proj.w"}) {
                n.add("h." + l + "." + m);
            }
        }
        return n;
    }

    /** name -> {rows, cols} of every tensor a shape has (vectors as {1, n}). */
    public static Map<String, int[]> expectedSizes(ModelShape s) {
        int C = s.nEmbd();
        Map<String, int[]> m = new LinkedHashMap<>();
        m.put("wte", new int[] {s.vocabSize(), C});
        m.put("wpe", new int[] {s.blockSize(), C});
        for (int l = 0; l < s.nLayer(); l++) {
            String p = "h." + l + ".";
            int A = s.attnWidth(l), F = s.mlpWidth(l);
            m.put(p + "ln1.w", new int[] {1, C});
            if (s.bias()) {
                m.put(p + "ln1.b", new int[] {1, C});
            }
            m.put(p + "attn.qkv.w", new int[] {3 * A, C});
            if (s.bias()) {
                m.put(p + "attn.qkv.b", new int[] {1, 3 * A});
            }
            m.put(p + "attn.proj.w", new int[] {C, A});
            if (s.bias()) {
                m.put(p + "attn.proj.b", new int[] {1, C});
            }
            m.put(p + "ln2.w", new int[] {1, C});
            if (s.bias()) {
                m.put(p + "ln2.b", new int[] {1, C});
            }
            m.put(p + "mlp.fc.w", new int[] {F, C});
            if (s.bias()) {
                m.put(p + "mlp.fc.b", new int[] {1, F});
            }
            m.put(p + "mlp.proj.w", new int[] {C, F});
            if (s.bias()) {
                m.put(p + "mlp.proj.b", new int[] {1, C});
            }
        }
        m.put("ln_f.w", new int[] {1, C});
        if (s.bias()) {
            m.put("ln_f.b", new int[] {1, C});
        }
        if (!s.tiedEmbeddings()) {
            m.put("lm_head.w", new int[] {s.vocabSize(), C});
        }
        return m;
    }
}
