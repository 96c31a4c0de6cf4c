package io.sparkgpt.trainer;

/**
 * Seeds derived from the run seed, so that what a worker does in a round depends only on (seed, round, worker)
 * and never on which executor ran the task, how often it was re-run, or whether the driver was restarted.
 */
public final class Seeds {
    private Seeds() {}

    /** SplitMix64 finaliser: a well-mixed 64-bit value from any input. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** The data-sampling seed of {@code worker} in {@code round}. */
    public static long worker(long seed, long round, int worker) {
        return mix(mix(mix(seed) + round) + worker + 0x9e3779b97f4a7c15L);
    }
}
