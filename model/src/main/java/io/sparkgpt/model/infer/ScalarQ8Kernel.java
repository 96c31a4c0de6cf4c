package io.sparkgpt.model.infer;

/** {@link Q8Kernel} in plain Java: the fallback when the Vector API module is absent. */
final class ScalarQ8Kernel implements Q8Kernel {
    private static final int BLOCK = Int8Linear.BLOCK;

    @Override
    public void matmul(byte[] q, float[] d, float[] bias, float[] x, float[] y, int rows, int out, int in, int j0,
                       int j1) {
        int nb = Int8Linear.blocks(in);
        for (int j = j0; j < j1; j++) {
            int wo = j * in, so = j * nb;
            float bj = bias == null ? 0f : bias[j];
            for (int r = 0; r < rows; r++) {
                int xo = r * in;
                float acc = 0;
                for (int k = 0; k < nb; k++) {
                    int i0 = k * BLOCK, n = Math.min(BLOCK, in - i0);
                    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                    int i = 0;
                    for (; i + 3 < n; i += 4) {
                        s0 += q[wo + i0 + i] * x[xo + i0 + i];
                        s1 += q[wo + i0 + i + 1] * x[xo + i0 + i + 1];
                        s2 += q[wo + i0 + i + 2] * x[xo + i0 + i + 2];
                        s3 += q[wo + i0 + i + 3] * x[xo + i0 + i + 3];
                    }
                    for (; i < n; i++) {
                        s0 += q[wo + i0 + i] * x[xo + i0 + i];
                    }
                    acc += d[so + k] * ((s0 + s1) + (s2 + s3));
                }
                y[r * out + j] = acc + bj;
            }
        }
    }
}
