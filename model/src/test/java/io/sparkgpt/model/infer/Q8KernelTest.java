package io.sparkgpt.model.infer;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;

class Q8KernelTest {

    @Test
    void testsRunTheVectorKernel() {
        // model/pom.xml passes --add-modules jdk.incubator.vector to the test JVM: the fast kernel must be the one tested
        assertEquals(VectorQ8Kernel.class, Int8Linear.KERNEL.getClass());
    }

    @Test
    void vectorAndScalarKernelsAgreeWithTheDequantizedProduct() {
        Random r = new Random(4);
        // widths: whole blocks, a partial last block, shorter than one block; row counts around the 4-row tiles
        int[][] shapes = {{1, 64, 70}, {3, 96, 33}, {4, 40, 17}, {7, 128, 65}, {9, 20, 5}};
        for (int[] s : shapes) {
            int rows = s[0], in = s[1], out = s[2];
            float[] w = new float[out * in], bias = new float[out], x = new float[rows * in];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) r.nextGaussian();
            }
            for (int i = 0; i < out; i++) {
                bias[i] = (float) r.nextGaussian();
            }
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            Int8Linear q = Int8Linear.quantize(w, bias, out, in);
            float[] deq = new float[in];
            float[] ref = new float[rows * out];
            for (int j = 0; j < out; j++) {
                q.row(j, deq, 0);
                for (int rr = 0; rr < rows; rr++) {
                    double acc = bias[j];
                    for (int i = 0; i < in; i++) {
                        acc += (double) deq[i] * x[rr * in + i];
                    }
                    ref[rr * out + j] = (float) acc;
                }
            }
            for (Q8Kernel k : new Q8Kernel[] {new ScalarQ8Kernel(), new VectorQ8Kernel()}) {
                float[] y = new float[rows * out];
                k.matmul(q.values(), q.scales(), bias, x, y, rows, out, in, 0, out);
                for (int i = 0; i < y.length; i++) {
                    assertEquals(ref[i], y[i], 1e-4 * (1 + Math.abs(ref[i])), k.getClass().getSimpleName() + " "
                            + rows + "x" + in + "x" + out + " at " + i);
                }
            }
            // and the layer's own (possibly multi-threaded) forward
            float[] y = new float[rows * out];
            q.forward(x, rows, y);
            for (int i = 0; i < y.length; i++) {
                assertEquals(ref[i], y[i], 1e-4 * (1 + Math.abs(ref[i])));
            }
        }
    }

    @Test
    void quantizationErrorIsWithinHalfAStepPerBlock() {
        Random r = new Random(2);
        int out = 5, in = 45;
        float[] w = new float[out * in];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * (i % 7 == 0 ? 3 : 0.1));
        }
        w[3] = 0f;
        Int8Linear q = Int8Linear.quantize(w, null, out, in);
        float[] row = new float[in];
        for (int j = 0; j < out; j++) {
            q.row(j, row, 0);
            for (int i = 0; i < in; i++) {
                float step = q.scales()[j * Int8Linear.blocks(in) + i / Int8Linear.BLOCK];
                assertTrue(Math.abs(row[i] - w[j * in + i]) <= 0.5f * step + 1e-7f, "w[" + j + "][" + i + "]");
                assertTrue(Math.abs(q.values()[j * in + i]) <= 127);
            }
        }
        assertEquals(0f, row[3 % in] * 0 + q.values()[3], 0f, "zero stays zero");
        assertEquals(out * in + 4L * out * 2, q.bytes(), "one byte per weight plus a float per block of 32");
    }
}
