package io.sparkgpt.pipeline.dedup;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * MinHash signatures and LSH band keys. Permutation {@code i} of a shingle hash {@code x} is the multiply-shift
 * hash {@code (a_i * x + b_i) >>> 32} with odd {@code a_i}; the coefficients come from a {@link SplittableRandom}
 * seeded with the configured seed, so a signature depends only on the text and the seed, never on the partition
 * or the machine. A band key is a 64-bit mix of the band index and its {@code rows} values.
 */
public final class MinHasher implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int bands;
    private final int rows;
    private final long[] a;
    private final long[] b;

    public MinHasher(int bands, int rows, long seed) {
        this.bands = bands;
        this.rows = rows;
        int k = bands * rows;
        SplittableRandom rnd = new SplittableRandom(seed);
        a = new long[k];
        b = new long[k];
        for (int i = 0; i < k; i++) {
            a[i] = rnd.nextLong() | 1L;
            b[i] = rnd.nextLong();
        }
    }

    /** The signature of a shingle set (empty set: null, such a document takes no part in the fuzzy stage). */
    public int[] signature(long[] shingles) {
        if (shingles.length == 0) {
            return null;
        }
        int k = a.length;
        long[] min = new long[k];
        java.util.Arrays.fill(min, Long.MAX_VALUE);
        for (long x : shingles) {
            for (int i = 0; i < k; i++) {
                long v = (a[i] * x + b[i]) >>> 32;
                if (v < min[i]) {
                    min[i] = v;
                }
            }
        }
        int[] sig = new int[k];
        for (int i = 0; i < k; i++) {
            sig[i] = (int) min[i];
        }
        return sig;
    }

    /** One 64-bit key per band (null for a null signature). */
    public long[] bandKeys(int[] sig) {
        if (sig == null) {
            return null;
        }
        long[] keys = new long[bands];
        for (int band = 0; band < bands; band++) {
            long h = Shingler.mix(0x51ed27e1L + band);
            for (int r = 0; r < rows; r++) {
                h = Shingler.mix(h ^ (sig[band * rows + r] & 0xffffffffL) * 0x9E3779B97F4A7C15L);
            }
            keys[band] = h;
        }
        return keys;
    }

    /** Share of equal positions: the MinHash estimate of the Jaccard similarity. */
    public static double estimate(int[] x, int[] y) {
        int eq = 0;
        for (int i = 0; i < x.length; i++) {
            if (x[i] == y[i]) {
                eq++;
            }
        }
        return (double) eq / x.length;
    }
}
