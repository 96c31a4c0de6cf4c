package io.sparkgpt.model;

/**
 * Training batches from one token stream, nanoGPT's {@code get_batch}: each row is a window of {@code T+1}
 * consecutive tokens starting at a uniformly random offset; {@code x} is its first T tokens, {@code y} the last T
 * (the next-token targets). The offsets come from a seeded {@link Rng}, and {@link #state()} captures everything
 * needed to continue the exact same sequence of batches after a restart ({@link #restore}).
 *
 * <p>For a distributed trainer: give each worker its own token array (its shard) or its own seed, e.g.
 * {@code new TokenWindows(shard, T, Rng.mix(seed, workerIndex))}, and store each worker's {@link State}.
 *
 * <p>{@link #sequential} gives non-overlapping windows in order, for a deterministic full-pass evaluation.
 */
public final class TokenWindows {

    /** One batch: {@code x[rows][T]} inputs and {@code y[rows][T]} targets. */
    public record Batch(int[][] x, int[][] y) {
        public int rows() {
            return x.length;
        }
    }

    /**
     * The serialisable position of the stream: the RNG state and how many windows were drawn so far.
     */
    public record State(long rngState, long windowsDrawn) {}

    private final int[] tokens;
    private final int blockSize;
    private final Rng rng;
    private long drawn;

    /**
     * @param tokens    the stream (not copied: do not modify it); needs at least {@code blockSize + 1} tokens
     * @param blockSize T, the window length of x and y
     * @param seed      seed of the offsets
     */
    public TokenWindows(int[] tokens, int blockSize, long seed) {
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize must be >= 1: " + blockSize);
        }
        if (tokens.length < blockSize + 1) {
            throw new IllegalArgumentException("token stream has " + tokens.length + " tokens, windows of blockSize="
                    + blockSize + " need at least " + (blockSize + 1));
        }
        this.tokens = tokens;
        this.blockSize = blockSize;
        this.rng = new Rng(seed);
    }

    public int blockSize() {
        return blockSize;
    }

    public int numTokens() {
        return tokens.length;
    }

    /** The next {@code rows} random windows. */
    public Batch next(int rows) {
        int[][] x = new int[rows][blockSize];
        int[][] y = new int[rows][blockSize];
        int span = tokens.length - blockSize;
        for (int r = 0; r < rows; r++) {
            int off = rng.nextInt(span);
            System.arraycopy(tokens, off, x[r], 0, blockSize);
            System.arraycopy(tokens, off + 1, y[r], 0, blockSize);
        }
        drawn += rows;
        return new Batch(x, y);
    }

    public State state() {
        return new State(rng.state(), drawn);
    }

    /** Continues exactly where {@code s} was taken (same stream, same block size assumed). */
    public void restore(State s) {
        rng.setState(s.rngState());
        drawn = s.windowsDrawn();
    }

    /** Number of non-overlapping windows {@link #sequential} can give. */
    public int numSequentialWindows() {
        return (tokens.length - 1) / blockSize;
    }

    /** Windows {@code first .. first+rows-1} of the non-overlapping tiling (offsets {@code i * blockSize}). */
    public Batch sequential(int first, int rows) {
        int n = numSequentialWindows();
        if (first < 0 || first + rows > n) {
            throw new IllegalArgumentException("windows " + first + ".." + (first + rows - 1) + " out of 0.."
                    + (n - 1));
        }
        int[][] x = new int[rows][blockSize];
        int[][] y = new int[rows][blockSize];
        for (int r = 0; r < rows; r++) {
            int off = (first + r) * blockSize;
            System.arraycopy(tokens, off, x[r], 0, blockSize);
            System.arraycopy(tokens, off + 1, y[r], 0, blockSize);
        }
        return new Batch(x, y);
    }
}
