package io.sparkgpt.model;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Vector API kernels against the scalar ones, on shapes the lanes tile and shapes they do not. */
class KernelsTest {
    private final Kernels scalar = new Kernels();
    private final Kernels vector = new VectorKernels();
    private final Random rnd = new Random(11);

    @Test
    void testsRunTheVectorKernels() {
        // model/pom.xml passes --add-modules jdk.incubator.vector to the test JVM: the fast kernels must be the tested
        assertEquals(VectorKernels.class, Kernels.best().getClass());
    }

    /** Two copies of the same random buffers; the op runs on each with one implementation; all buffers compared. */
    private void agree(String what, int[] sizes, double tol, Op op) {
        Buf[] a = new Buf[sizes.length], b = new Buf[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            a[i] = new Buf(sizes[i]);
            b[i] = new Buf(sizes[i]);
            for (int k = 0; k < sizes[i]; k++) {
                float x = (float) (rnd.nextGaussian() * 2);
                a[i].set(k, x);
                b[i].set(k, x);
            }
        }
        op.run(scalar, a);
        op.run(vector, b);
        for (int i = 0; i < sizes.length; i++) {
            for (int k = 0; k < sizes[i]; k++) {
                float x = a[i].get(k), y = b[i].get(k);
                assertEquals(x, y, tol * Math.max(1, Math.abs(x)), what + ": buffer " + i + " index " + k);
            }
            a[i].close();
            b[i].close();
        }
    }

    interface Op {
        void run(Kernels k, Buf[] b);
    }

    @Test
    void layerNormForwardAndBackwardAgree() {
        for (int C : new int[] {64, 128, 20}) {
            int BT = 7;
            // out, mean, rstd, in, params (w at 0, bias at C)
            agree("layerNorm C=" + C, new int[] {BT * C, BT, BT, BT * C, 2 * C}, 2e-6,
                    (k, b) -> k.layerNorm(b[0], b[1], b[2], b[3], b[4], 0, C, BT, C));
            agree("layerNorm no bias C=" + C, new int[] {BT * C, BT, BT, BT * C, 2 * C}, 2e-6,
                    (k, b) -> k.layerNorm(b[0], b[1], b[2], b[3], b[4], 0, -1, BT, C));
            // dIn, dOut, in, mean, rstd, params, grad: mean/rstd from a forward pass first
            agree("layerNormBackward C=" + C, new int[] {BT * C, BT * C, BT * C, BT, BT, 2 * C, 2 * C, BT * C}, 2e-5,
                    (k, b) -> {
                        scalar.layerNorm(b[7], b[3], b[4], b[2], b[5], 0, C, BT, C);
                        k.layerNormBackward(b[0], b[1], b[2], b[3], b[4], b[5], b[6], 0, C, BT, C);
                    });
        }
    }

    @Test
    void geluAndAddAgree() {
        for (int n : new int[] {512, 77}) {
            for (boolean exact : new boolean[] {false, true}) {
                agree("geluKeep n=" + n + " exact=" + exact, new int[] {n, n, n}, 1e-6,
                        (k, b) -> k.geluKeep(b[0], b[1], b[2], n, exact));
                agree("geluBackward n=" + n + " exact=" + exact, new int[] {n, n, n}, 1e-6,
                        (k, b) -> k.geluBackward(b[0], b[1], b[2], n, exact));
            }
            agree("add n=" + n, new int[] {n, n, n}, 0, (k, b) -> k.add(b[0], b[1], b[2], n));
        }
    }

    @Test
    void parameterRangeKernelsAgree() {
        int n = 1000;
        for (int[] r : new int[][] {{0, 1000}, {3, 997}, {5, 9}, {10, 10}}) {
            int lo = r[0], hi = r[1];
            agree("addInto " + lo + ".." + hi, new int[] {n, n}, 0, (k, b) -> k.addInto(b[0], b[1], lo, hi));
            agree("adamw " + lo + ".." + hi, new int[] {n, n, n, n}, 2e-6, (k, b) -> {
                for (int i = 0; i < n; i++) {
                    b[3].set(i, Math.abs(b[3].get(i))); // v >= 0
                }
                k.adamw(b[0], b[1], b[2], b[3], lo, hi, new Kernels.AdamW(0.7f, 0.9f, 0.99f, 1e-3f, 0.3f, 1e-8f,
                        0.999f));
            });
            Buf g = new Buf(n);
            for (int i = 0; i < n; i++) {
                g.set(i, (float) rnd.nextGaussian());
            }
            assertEquals(scalar.sumSquares(g, lo, hi), vector.sumSquares(g, lo, hi), 1e-5 * (hi - lo + 1));
            g.close();
        }
    }

    @Test
    void causalSoftmaxForwardAndBackwardAgree() {
        for (int T : new int[] {64, 40, 12}) {
            int ao = 3 * T; // an offset into the scores, as a head's block has
            agree("softmaxCausal T=" + T, new int[] {ao + T * T}, 1e-6, (k, b) -> k.softmaxCausal(b[0], ao, T));
            agree("softmaxBackward T=" + T, new int[] {ao + T * T, T * T}, 1e-5, (k, b) -> {
                scalar.softmaxCausal(b[0], ao, T);
                k.softmaxBackward(b[0], ao, b[1], T, 0.125f);
            });
        }
    }

    @Test
    void vectorSoftmaxRowsSumToOneAndStayCausal() {
        int T = 64;
        Buf att = new Buf(T * T);
        for (int i = 0; i < T * T; i++) {
            att.set(i, (float) (rnd.nextGaussian() * 30)); // wide scores: exp's range, not just its middle
        }
        vector.softmaxCausal(att, 0, T);
        for (int t = 0; t < T; t++) {
            double s = 0;
            for (int j = 0; j < T; j++) {
                float p = att.get(t * T + j);
                if (j > t) {
                    assertEquals(0f, p, "row " + t + " column " + j + " is past the diagonal");
                }
                assertTrue(p >= 0 && p <= 1, "row " + t + " column " + j + ": " + p);
                s += p;
            }
            assertEquals(1.0, s, 1e-5, "row " + t);
        }
        att.close();
    }
}
