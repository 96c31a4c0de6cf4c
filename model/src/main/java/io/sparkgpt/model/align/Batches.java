package io.sparkgpt.model.align;

import io.sparkgpt.model.Rng;
import java.util.ArrayList;
import java.util.List;

/** A step's batch as a function of (seed, step) only: what makes a resumed run draw what the first one would have. */
public final class Batches {
    private Batches() {}

    /**
     * {@code size} examples of {@code all}: the step's slice of a permutation of the data that is redrawn each
     * epoch (every example once per epoch, the order a function of seed and epoch).
     */
    public static <T> List<T> draw(List<T> all, int size, long seed, long step) {
        List<T> out = new ArrayList<>(size);
        for (int i : permutationSlice(all.size(), size, seed, step)) {
            out.add(all.get(i));
        }
        return out;
    }

    /** The indices {@link #draw} would pick. */
    public static int[] permutationSlice(int n, int size, long seed, long step) {
        if (n == 0) {
            throw new IllegalArgumentException("no training examples");
        }
        int[] out = new int[size];
        long cachedEpoch = -1;
        int[] perm = null;
        for (int i = 0; i < size; i++) {
            long k = step * size + i;
            long epoch = k / n;
            if (epoch != cachedEpoch) {
                perm = permutation(n, Rng.mix(seed, epoch));
                cachedEpoch = epoch;
            }
            out[i] = perm[(int) (k % n)];
        }
        return out;
    }

    static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        Rng r = new Rng(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
