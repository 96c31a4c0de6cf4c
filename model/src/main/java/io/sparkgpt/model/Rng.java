package io.sparkgpt.model;

/**
 * SplitMix64: a tiny random generator whose whole state is one {@code long}, so that checkpoints can store it and a
 * resumed run draws exactly the numbers the uninterrupted run would have drawn ({@link java.util.Random} hides its
 * state).
 */
public final class Rng {
    private long state;

    public Rng(long seed) {
        this.state = seed;
    }

    public long state() {
        return state;
    }

    public void setState(long s) {
        this.state = s;
    }

    private static final long GAMMA = 0x9E3779B97F4A7C15L;

    /** The state after {@code n} draws from {@code state} (SplitMix64's state advances by a constant per draw). */
    public static long jump(long state, long n) {
        return state + n * GAMMA;
    }

    public long nextLong() {
        long z = (state += GAMMA);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1). */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        return (int) ((nextLong() >>> 33) % bound);
    }

    public long nextLong(long bound) {
        return Long.remainderUnsigned(nextLong(), bound);
    }

    /** Standard normal (Box-Muller, one draw per call so the state stays a single long). */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble();
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** A new independent stream derived from this seed and a label (for example a worker index). */
    public static long mix(long seed, long label) {
        Rng r = new Rng(seed ^ (label * 0xD1B54A32D192ED03L));
        r.nextLong();
        return r.nextLong();
    }
}
