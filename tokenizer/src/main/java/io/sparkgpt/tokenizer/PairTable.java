package io.sparkgpt.tokenizer;

/**
 * Open-addressing map from a token pair {@code (left, right)} to {@code (rank << 32) | merged id}: the one
 * lookup of the BPE inner loop, without boxing. Immutable once built; safe to share between threads.
 */
final class PairTable {
    static final long NONE = Long.MAX_VALUE;

    private long[] keys;
    private long[] vals;
    private int mask;
    private int size;

    PairTable(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[cap];
        vals = new long[cap];
        java.util.Arrays.fill(keys, -1L);
        mask = cap - 1;
    }

    static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private static int slot(long k, int mask) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & mask;
    }

    /** Puts the pair unless it is already there with a lower rank (the first merge that makes a token wins). */
    void putIfBetter(int left, int right, int rank, int merged) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        long k = key(left, right);
        long v = ((long) rank << 32) | (merged & 0xFFFFFFFFL);
        int i = slot(k, mask);
        while (keys[i] != -1L) {
            if (keys[i] == k) {
                if (v < vals[i]) {
                    vals[i] = v;
                }
                return;
            }
            i = (i + 1) & mask;
        }
        keys[i] = k;
        vals[i] = v;
        size++;
    }

    /** {@code (rank << 32) | merged}, or {@link #NONE}. */
    long get(int left, int right) {
        long k = key(left, right);
        int i = slot(k, mask);
        long[] ks = keys;
        while (true) {
            long kk = ks[i];
            if (kk == k) {
                return vals[i];
            }
            if (kk == -1L) {
                return NONE;
            }
            i = (i + 1) & mask;
        }
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] ok = keys;
        long[] ov = vals;
        keys = new long[ok.length * 2];
        vals = new long[ok.length * 2];
        java.util.Arrays.fill(keys, -1L);
        mask = keys.length - 1;
        size = 0;
        for (int i = 0; i < ok.length; i++) {
            if (ok[i] != -1L) {
                int j = slot(ok[i], mask);
                while (keys[j] != -1L) {
                    j = (j + 1) & mask;
                }
                keys[j] = ok[i];
                vals[j] = ov[i];
                size++;
            }
        }
    }
}
