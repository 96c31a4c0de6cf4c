package io.sparkgpt.trainer;

/** The fixed validation windows the driver evaluates every time. */
public final class WindowSampler {
    private WindowSampler() {}

    /**
     * The evaluation windows: consecutive, non-overlapping, from the start of the stream, at most {@code count}.
     * The same every time, so validation losses of different rounds compare.
     */
    public static int[][][] fixedWindows(int[] stream, int blockSize, int count) {
        int n = Math.max(0, Math.min(count, (stream.length - 1) / blockSize));
        int[][] x = new int[n][blockSize];
        int[][] y = new int[n][blockSize];
        for (int i = 0; i < n; i++) {
            System.arraycopy(stream, i * blockSize, x[i], 0, blockSize);
            System.arraycopy(stream, i * blockSize + 1, y[i], 0, blockSize);
        }
        return new int[][][] {x, y};
    }
}
