package io.sparkgpt.model.compress;

import io.sparkgpt.model.GPT;
import io.sparkgpt.model.infer.ModelWeights;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which weights of a dense model are pruned: per tensor name, the set of pruned element indices. Applying it zeroes
 * them; {@link MaskedFineTune} re-applies it after every optimizer step so that pruned weights stay exactly zero.
 *
 * @param pruned tensor name -> pruned indices (tensors not named are kept whole)
 */
public record PruneMask(Map<String, BitSet> pruned) {

    public PruneMask {
        Map<String, BitSet> m = new LinkedHashMap<>();
        pruned.forEach((k, v) -> m.put(k, (BitSet) v.clone()));
        pruned = Collections.unmodifiableMap(m);
    }

    /** Pruned weights over all tensors. */
    public long prunedCount() {
        return pruned.values().stream().mapToLong(BitSet::cardinality).sum();
    }

    /** A copy of {@code w} with the pruned weights set to zero. */
    public ModelWeights applyTo(ModelWeights w) {
        Map<String, float[]> t = new LinkedHashMap<>();
        pruned.forEach((name, bits) -> {
            float[] a = w.get(name).clone();
            for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
                a[i] = 0f;
            }
            t.put(name, a);
        });
        return w.with(t);
    }

    /** Zeroes the pruned weights inside {@code gpt}'s parameters (tensor names from {@link GPT#tensorNames()}). */
    public void applyTo(GPT gpt) {
        float[] p = gpt.params();
        for (String spec : gpt.tensorNames()) {
            int at = spec.lastIndexOf('@'), plus = spec.lastIndexOf('+');
            BitSet bits = pruned.get(spec.substring(0, at));
            if (bits == null) {
                continue;
            }
            int off = Integer.parseInt(spec.substring(at + 1, plus));
            for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
                p[off + i] = 0f;
            }
        }
        gpt.setParams(p);
    }
}
