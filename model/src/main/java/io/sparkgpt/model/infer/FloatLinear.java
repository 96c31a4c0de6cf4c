package io.sparkgpt.model.infer;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * A float32 linear layer whose product runs in OpenBLAS, called directly (DESIGN.md: {@code cblas_sgemm} from Java
 * runs at 80-170 GFLOP/s where ND4J's wrappers lose 2-10x), as the training engine does: {@code sgemm} for several
 * rows, {@code sgemv} for one. The weights live off-heap once; the rows of each call are copied in and out (their
 * cost is {@code rows * (in + out)} floats against {@code rows * in * out} multiply-adds).
 */
public final class FloatLinear implements Linear {
    private final int in, out;
    private final FloatPointer w;
    private final float[] b;
    private FloatPointer xs, ys;
    private int cap;
    private boolean closed;

    public FloatLinear(float[] weights, float[] bias, int out, int in) {
        if ((long) out * in != weights.length) {
            throw new IllegalArgumentException("weights have " + weights.length + " floats, not " + out + " x " + in);
        }
        if (bias != null && bias.length != out) {
            throw new IllegalArgumentException("bias has " + bias.length + " floats, not " + out);
        }
        this.in = in;
        this.out = out;
        this.w = new FloatPointer(weights);
        this.b = bias == null ? null : bias.clone();
    }

    @Override
    public int in() {
        return in;
    }

    @Override
    public int out() {
        return out;
    }

    @Override
    public void forward(float[] x, int rows, float[] y) {
        if (closed) {
            throw new IllegalStateException("linear layer is closed");
        }
        if (rows > cap) {
            if (xs != null) {
                xs.deallocate();
                ys.deallocate();
            }
            cap = Math.max(rows, 2 * cap);
            xs = new FloatPointer((long) cap * in);
            ys = new FloatPointer((long) cap * out);
        }
        xs.position(0).put(x, 0, rows * in);
        if (rows == 1) {
            openblas_nolapack.cblas_sgemv(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans, out, in, 1f,
                    w, in, xs, 1, 0f, ys, 1);
        } else {
            openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans,
                    openblas_nolapack.CblasTrans, rows, out, in, 1f, xs, in, w, in, 0f, ys, out);
        }
        ys.position(0).get(y, 0, rows * out);
        if (b != null) {
            for (int r = 0; r < rows; r++) {
                int o = r * out;
                for (int j = 0; j < out; j++) {
                    y[o + j] += b[j];
                }
            }
        }
    }

    @Override
    public void row(int j, float[] dst, int off) {
        w.position((long) j * in).get(dst, off, in);
        w.position(0);
    }

    @Override
    public long bytes() {
        return 4L * ((long) in * out + (b == null ? 0 : out));
    }

    @Override
    public Precision precision() {
        return Precision.FLOAT32;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        w.deallocate();
        if (xs != null) {
            xs.deallocate();
            ys.deallocate();
        }
    }
}
