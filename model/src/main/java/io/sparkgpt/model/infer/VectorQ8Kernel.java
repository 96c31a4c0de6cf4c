package io.sparkgpt.model.infer;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Q8Kernel} on the JDK's Vector API (incubating in Java 17: loaded only when the JVM has
 * {@code --add-modules jdk.incubator.vector}). Per block of 32: the int8 values load as bytes, widen to float lanes
 * and multiply-add with x; the block's partial sum is scaled once. Rows go four at a time so that each converted
 * block of weights serves four rows. Blocks shorter than 32 (a row whose length is not a multiple of 32) run scalar.
 */
final class VectorQ8Kernel implements Q8Kernel {
    private static final int BLOCK = Int8Linear.BLOCK;
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED.length() > 16
            ? FloatVector.SPECIES_512 : FloatVector.SPECIES_PREFERRED;
    private static final int LANES = FS.length();
    private static final VectorSpecies<Byte> BS = VectorSpecies.of(byte.class,
            VectorShape.forBitSize(LANES * 8));
    private static final int PARTS = BLOCK / LANES;

    VectorQ8Kernel() {
        if (LANES > BLOCK || BLOCK % LANES != 0) {
            throw new IllegalStateException("float vectors of " + LANES + " lanes do not tile a block of " + BLOCK);
        }
    }

    @Override
    public void matmul(byte[] q, float[] d, float[] bias, float[] x, float[] y, int rows, int out, int in, int j0,
                       int j1) {
        int nb = Int8Linear.blocks(in), full = in / BLOCK;
        for (int j = j0; j < j1; j++) {
            int wo = j * in, so = j * nb;
            float bj = bias == null ? 0f : bias[j];
            int r = 0;
            for (; r + 3 < rows; r += 4) {
                int x0 = r * in, x1 = x0 + in, x2 = x1 + in, x3 = x2 + in;
                FloatVector a0 = FloatVector.zero(FS), a1 = a0, a2 = a0, a3 = a0;
                for (int k = 0; k < full; k++) {
                    int wi = wo + k * BLOCK, xi = k * BLOCK;
                    FloatVector s0 = FloatVector.zero(FS), s1 = s0, s2 = s0, s3 = s0;
                    for (int p = 0; p < PARTS; p++) {
                        FloatVector w = (FloatVector) ByteVector.fromArray(BS, q, wi + p * LANES)
                                .convertShape(VectorOperators.B2F, FS, 0);
                        int o = xi + p * LANES;
                        s0 = w.fma(FloatVector.fromArray(FS, x, x0 + o), s0);
                        s1 = w.fma(FloatVector.fromArray(FS, x, x1 + o), s1);
                        s2 = w.fma(FloatVector.fromArray(FS, x, x2 + o), s2);
                        s3 = w.fma(FloatVector.fromArray(FS, x, x3 + o), s3);
                    }
                    FloatVector dv = FloatVector.broadcast(FS, d[so + k]);
                    a0 = s0.fma(dv, a0);
                    a1 = s1.fma(dv, a1);
                    a2 = s2.fma(dv, a2);
                    a3 = s3.fma(dv, a3);
                }
                y[r * out + j] = a0.reduceLanes(VectorOperators.ADD) + tail(q, d, x, wo, so, x0, in, full) + bj;
                y[(r + 1) * out + j] = a1.reduceLanes(VectorOperators.ADD) + tail(q, d, x, wo, so, x1, in, full) + bj;
                y[(r + 2) * out + j] = a2.reduceLanes(VectorOperators.ADD) + tail(q, d, x, wo, so, x2, in, full) + bj;
                y[(r + 3) * out + j] = a3.reduceLanes(VectorOperators.ADD) + tail(q, d, x, wo, so, x3, in, full) + bj;
            }
            for (; r < rows; r++) {
                int x0 = r * in;
                FloatVector a0 = FloatVector.zero(FS), a1 = a0;
                for (int k = 0; k < full; k++) {
                    int wi = wo + k * BLOCK, xi = x0 + k * BLOCK;
                    FloatVector s0 = FloatVector.zero(FS), s1 = s0;
                    for (int p = 0; p < PARTS; p += 2) {
                        FloatVector w = (FloatVector) ByteVector.fromArray(BS, q, wi + p * LANES)
                                .convertShape(VectorOperators.B2F, FS, 0);
                        s0 = w.fma(FloatVector.fromArray(FS, x, xi + p * LANES), s0);
                        if (p + 1 < PARTS) {
                            FloatVector w1 = (FloatVector) ByteVector.fromArray(BS, q, wi + (p + 1) * LANES)
                                    .convertShape(VectorOperators.B2F, FS, 0);
                            s1 = w1.fma(FloatVector.fromArray(FS, x, xi + (p + 1) * LANES), s1);
                        }
                    }
                    FloatVector dv = FloatVector.broadcast(FS, d[so + k]);
                    a0 = s0.fma(dv, a0);
                    a1 = s1.fma(dv, a1);
                }
                y[r * out + j] = a0.add(a1).reduceLanes(VectorOperators.ADD) + tail(q, d, x, wo, so, x0, in, full) + bj;
            }
        }
    }

    /** The last, shorter block of a row (none when in is a multiple of 32). */
    private static float tail(byte[] q, float[] d, float[] x, int wo, int so, int xo, int in, int full) {
        int i0 = full * BLOCK;
        if (i0 == in) {
            return 0f;
        }
        float s = 0;
        for (int i = i0; i < in; i++) {
            s += q[wo + i] * x[xo + i];
        }
        return d[so + full] * s;
    }
}
