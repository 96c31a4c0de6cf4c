package io.sparkgpt.model.compress;

import io.sparkgpt.model.infer.ModelWeights;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Unstructured magnitude pruning (Han et al. 2015): in every linear layer's weight matrix (attention qkv and
 * projection, MLP up and down), the {@code sparsity} fraction of weights with the smallest |w| is pruned, layer by
 * layer (each matrix keeps the same fraction, so no layer is emptied). Embeddings, LayerNorms and biases are kept:
 * they are a small part of the model and pruning them hurts most. Ties at the threshold are broken by index, so the
 * count is exact.
 */
public final class MagnitudePruning {
    private MagnitudePruning() {}

    public static PruneMask mask(ModelWeights w, double sparsity) {
        if (!(sparsity >= 0 && sparsity < 1)) {
            throw new IllegalArgumentException("sparsity must be in [0, 1): " + sparsity);
        }
        Map<String, BitSet> m = new LinkedHashMap<>();
        List<String> names = ModelWeights.matrixNames(w.shape());
        for (String n : names) {
            float[] a = w.get(n);
            int k = (int) Math.round(sparsity * a.length);
            Integer[] idx = new Integer[a.length];
            for (int i = 0; i < a.length; i++) {
                idx[i] = i;
            }
            Arrays.sort(idx, (x, y) -> {
                int c = Float.compare(Math.abs(a[x]), Math.abs(a[y]));
                return c != 0 ? c : Integer.compare(x, y);
            });
            BitSet b = new BitSet(a.length);
            for (int i = 0; i < k; i++) {
                b.set(idx[i]);
            }
            m.put(n, b);
        }
        return new PruneMask(m);
    }
}
