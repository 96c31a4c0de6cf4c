package io.sparkgpt.model.infer;

import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * A weight-only int8 linear layer in llama.cpp's Q8_0 layout: each row of W is cut into blocks of
 * {@value #BLOCK} weights, each block stored as int8 values q and one float scale d = max|w| / 127, so that
 * {@code w ~= d * q}. The product computes from the int8 values (block by block: the int8 x float dot product of the
 * block, times its scale), never from a dequantized copy of the matrix: the weights take a quarter of float32's memory
 * plus one float per 32 weights.
 */
public final class Int8Linear implements Linear {
    /** Weights per scale (Q8_0's block). */
    public static final int BLOCK = 32;

    private final int in, out, nb;
    private final byte[] q;
    private final float[] d;
    private final float[] b;

    /**
     * @param q     int8 values, {@code out * in}, row-major
     * @param d     scales, {@code out * ceil(in / 32)}: block k of row j is scaled by {@code d[j * nb + k]}
     * @param bias  float bias of {@code out} values, or null
     */
    public Int8Linear(byte[] q, float[] d, float[] bias, int out, int in) {
        this.in = in;
        this.out = out;
        this.nb = blocks(in);
        if ((long) out * in != q.length || (long) out * nb != d.length) {
            throw new IllegalArgumentException("int8 layer " + out + " x " + in + " needs " + (long) out * in
                    + " values and " + (long) out * nb + " scales, got " + q.length + " and " + d.length);
        }
        if (bias != null && bias.length != out) {
            throw new IllegalArgumentException("bias has " + bias.length + " floats, not " + out);
        }
        this.q = q;
        this.d = d;
        this.b = bias == null ? null : bias.clone();
    }

    /** Blocks per row of {@code in} weights (the last may be shorter). */
    public static int blocks(int in) {
        return (in + BLOCK - 1) / BLOCK;
    }

    /** Quantizes W ({@code out x in}, row-major) to Q8_0 (round to nearest, |q| <= 127). */
    public static Int8Linear quantize(float[] w, float[] bias, int out, int in) {
        if ((long) out * in != w.length) {
            throw new IllegalArgumentException("weights have " + w.length + " floats, not " + out + " x " + in);
        }
        int nb = blocks(in);
        byte[] q = new byte[w.length];
        float[] d = new float[out * nb];
        for (int j = 0; j < out; j++) {
            for (int k = 0; k < nb; k++) {
                int from = j * in + k * BLOCK, to = Math.min(from + BLOCK, (j + 1) * in);
                float amax = 0;
                for (int i = from; i < to; i++) {
                    amax = Math.max(amax, Math.abs(w[i]));
                }
                float scale = amax / 127f;
                d[j * nb + k] = scale;
                float inv = scale == 0 ? 0 : 1f / scale;
                for (int i = from; i < to; i++) {
                    q[i] = (byte) Math.max(-127, Math.min(127, Math.round(w[i] * inv)));
                }
            }
        }
        return new Int8Linear(q, d, bias, out, in);
    }

    @Override
    public int in() {
        return in;
    }

    @Override
    public int out() {
        return out;
    }

    /** The product kernel of this JVM (Vector API or scalar). */
    static final Q8Kernel KERNEL = Q8Kernel.best();
    /** Products smaller than this many multiply-adds stay on the calling thread. */
    private static final long PARALLEL_MIN = 1L << 20;

    @Override
    public void forward(float[] x, int rows, float[] y) {
        long work = (long) rows * in * out;
        int threads = Math.min(ForkJoinPool.getCommonPoolParallelism() + 1, Runtime.getRuntime().availableProcessors());
        if (work < PARALLEL_MIN || threads < 2 || out < 64) {
            KERNEL.matmul(q, d, b, x, y, rows, out, in, 0, out);
            return;
        }
        // output columns split in equal ranges over the cores (OpenBLAS uses them all for the float32 product too)
        int chunks = threads;
        IntStream.range(0, chunks).parallel().forEach(c -> KERNEL.matmul(q, d, b, x, y, rows, out, in,
                (int) ((long) out * c / chunks), (int) ((long) out * (c + 1) / chunks)));
    }

    @Override
    public void row(int j, float[] dst, int off) {
        for (int i = 0; i < in; i++) {
            dst[off + i] = d[j * nb + i / BLOCK] * q[j * in + i];
        }
    }

    /** The int8 values (shared, not copied: for writing the model file). */
    byte[] values() {
        return q;
    }

    /** The block scales (shared, not copied). */
    float[] scales() {
        return d;
    }

    float[] bias() {
        return b;
    }

    @Override
    public long bytes() {
        return q.length + 4L * d.length + (b == null ? 0 : 4L * out);
    }

    @Override
    public Precision precision() {
        return Precision.INT8;
    }

    @Override
    public void close() {}
}
