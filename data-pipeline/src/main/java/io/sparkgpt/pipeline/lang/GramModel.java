package io.sparkgpt.pipeline.lang;

import java.lang.reflect.Field;
import java.util.Map;
import opennlp.tools.ml.maxent.GISModel;
import opennlp.tools.ml.model.AbstractModel;
import opennlp.tools.ml.model.Context;
import opennlp.tools.ml.model.MaxentModel;
import opennlp.tools.ml.model.UniformPrior;

/**
 * OpenNLP's language model (a GIS maxent model over character 1- to 3-grams) laid out for evaluation: each n-gram
 * packed into a long (length and up to three UTF-16 units) and found in one open-addressing table of primitives,
 * its parameters in flat arrays. OpenNLP looks each n-gram up as a new String in a HashMap of Context objects (two
 * arrays each): the String, its hash and the pointer chasing were most of the language step's time.
 *
 * <p>The sums are OpenNLP's (uniform log prior, plus each distinct n-gram's parameters, then {@code StrictMath.exp}
 * and normalisation), in another order: n-grams by length then position, not OpenNLP's hash-map order, so a
 * probability may differ from OpenNLP's in its last bits (LanguageIdentifierContextTest: same labels, equal to 1e-12).
 */
final class GramModel {
    private final long[] keys;
    private final int[] index;
    private final int[] offsets;
    private final short[] outcomes;
    private final double[] params;
    private final int numOutcomes;
    private final double logPrior;

    private GramModel(Map<String, Context> pmap, int numOutcomes) {
        int n = 0;
        long total = 0;
        for (Map.Entry<String, Context> e : pmap.entrySet()) {
            int len = e.getKey().length();
            if (len >= 1 && len <= 3) {
                n++;
                total += e.getValue().getOutcomes().length;
            }
        }
        int cap = Integer.highestOneBit(Math.max(16, n * 2 - 1)) << 1;
        keys = new long[cap];
        index = new int[cap];
        java.util.Arrays.fill(index, -1);
        offsets = new int[n + 1];
        outcomes = new short[Math.toIntExact(total)];
        params = new double[outcomes.length];
        int k = 0;
        int at = 0;
        for (Map.Entry<String, Context> e : pmap.entrySet()) {
            String g = e.getKey();
            if (g.length() < 1 || g.length() > 3) {
                continue;
            }
            long key = pack(g.toCharArray(), 0, g.length());
            int slot = slot(key, keys.length - 1);
            while (index[slot] >= 0) {
                slot = (slot + 1) & (keys.length - 1);
            }
            keys[slot] = key;
            index[slot] = k;
            int[] o = e.getValue().getOutcomes();
            double[] p = e.getValue().getParameters();
            for (int j = 0; j < o.length; j++) {
                outcomes[at] = (short) o[j];
                params[at++] = p[j];
            }
            offsets[++k] = at;
        }
        this.numOutcomes = numOutcomes;
        this.logPrior = StrictMath.log(1.0 / numOutcomes);
    }

    /**
     * The model laid out as above when it is a GIS model with a uniform prior over fewer than 32,768 outcomes (the
     * published language model is); null otherwise, and the caller then uses OpenNLP's own evaluation.
     */
    static GramModel of(MaxentModel model) {
        if (!(model instanceof GISModel gis) || model.getNumOutcomes() >= Short.MAX_VALUE) {
            return null;
        }
        try {
            Field prior = AbstractModel.class.getDeclaredField("prior");
            prior.setAccessible(true);
            if (prior.get(gis) == null || prior.get(gis).getClass() != UniformPrior.class) {
                return null;
            }
            @SuppressWarnings("unchecked")
            Map<String, Context> pmap = (Map<String, Context>) gis.getDataStructures()[1];
            return new GramModel(pmap, gis.getNumOutcomes());
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Length in the top bits, then up to three 16-bit units: distinct n-grams get distinct keys. */
    static long pack(char[] c, int start, int len) {
        long k = len;
        for (int i = 0; i < 3; i++) {
            k = (k << 16) | (i < len ? c[start + i] : 0);
        }
        return k;
    }

    /** Home slot of a key in a power-of-two table with the given mask (the model's table and eval's set alike). */
    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private int lookup(long key) {
        int slot = slot(key, keys.length - 1);
        while (index[slot] >= 0) {
            if (keys[slot] == key) {
                return index[slot];
            }
            slot = (slot + 1) & (keys.length - 1);
        }
        return -1;
    }

    /** Whether the model has a feature for these 1 to 3 UTF-16 units (as the normaliser leaves them: lower case). */
    boolean has(char[] gram) {
        return lookup(pack(gram, 0, gram.length)) >= 0;
    }

    /** Outcome probabilities for the distinct 1- to 3-grams of {@code c[0..n)} (already normalised, lower case). */
    double[] eval(char[] c, int n) {
        double[] sums = new double[numOutcomes];
        java.util.Arrays.fill(sums, logPrior);
        // the n-grams seen so far in this text: each distinct one counts once (OpenNLP's context is a set)
        int cap = Integer.highestOneBit(Math.max(16, 6 * n - 1)) << 1;
        // 0 marks a free slot: a packed key is never 0 (its length, 1 to 3, is in the top bits)
        long[] seen = new long[cap];
        for (int len = 1; len <= 3; len++) {
            for (int i = 0; i + len <= n; i++) {
                long key = pack(c, i, len);
                int s = slot(key, cap - 1);
                while (seen[s] != 0 && seen[s] != key) {
                    s = (s + 1) & (cap - 1);
                }
                if (seen[s] == key) {
                    continue;
                }
                seen[s] = key;
                int f = lookup(key);
                if (f < 0) {
                    continue;
                }
                for (int j = offsets[f]; j < offsets[f + 1]; j++) {
                    sums[outcomes[j]] += params[j];
                }
            }
        }
        double norm = 0;
        for (int o = 0; o < numOutcomes; o++) {
            sums[o] = StrictMath.exp(sums[o]);
            norm += sums[o];
        }
        for (int o = 0; o < numOutcomes; o++) {
            sums[o] /= norm;
        }
        return sums;
    }
}
