package io.sparkgpt.model;

import static io.sparkgpt.model.GPTTest.randomBatch;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Test;

/** The data-parallel split of a micro-batch over worker threads. */
class ThreadsTest {
    static final GPTConfig C = new GPTConfig(37, 16, 2, 2, 16, 0.1, true, false);

    /** Trains 3 steps (dropout on, two micro-batches of 3 rows) at a thread count; returns params, moments. */
    private static float[][] train(int threads, double[] lossOut) {
        TrainConfig tc = TrainConfig.defaults().withBatch(3, 2);
        try (GPT g = GPT.create(C, 5).setThreads(threads)) {
            for (int s = 0; s < 3; s++) {
                int[][][] b = randomBatch(6, 16, 37, 100 + s);
                lossOut[s] = g.trainStep(b[0], b[1], 1e-2, tc);
            }
            lossOut[3] = g.rngState();
            return new float[][] {g.params(), g.optimizerState()};
        }
    }

    @Test
    void twoThreadsAreDeterministicAndAgreeWithOneToRounding() {
        double[] l1 = new double[4], l2 = new double[4], l2b = new double[4], l3 = new double[4];
        float[][] one = train(1, l1), two = train(2, l2), twoAgain = train(2, l2b), three = train(3, l3);
        assertArrayEquals(two[0], twoAgain[0], "same thread count, same numbers");
        assertArrayEquals(two[1], twoAgain[1]);
        assertArrayEquals(l2, l2b);
        assertEquals(l1[3], l2[3], "the dropout stream does not depend on the thread count");
        assertEquals(l1[3], l3[3]);
        for (float[][] other : new float[][][] {two, three}) {
            for (int i = 0; i < one[0].length; i++) {
                assertEquals(one[0][i], other[0][i], 1e-5, "param " + i);
            }
        }
        for (int s = 0; s < 3; s++) {
            assertEquals(l1[s], l2[s], 1e-6);
            assertEquals(l1[s], l3[s], 1e-6);
        }
        int differing = 0;
        for (int i = 0; i < one[0].length; i++) {
            differing += one[0][i] != two[0][i] ? 1 : 0;
        }
        assertTrue(differing > 0, "summing partial gradients rounds differently (else this test checks nothing)");
    }

    @Test
    void aLossSeesEachWorkersRowsOnce() {
        int[][][] b = randomBatch(5, 16, 37, 9);
        try (GPT g = GPT.create(C, 2).setThreads(2)) {
            int[] seen = new int[5];
            g.forwardInference(b[0], (row0, mb) -> {
                for (int r = 0; r < mb.rows(); r++) {
                    synchronized (seen) {
                        seen[row0 + r]++;
                    }
                }
                return 0;
            });
            assertArrayEquals(new int[] {1, 1, 1, 1, 1}, seen);
            float[][] lp2 = g.tokenLogProbs(b[0], b[1]);
            g.setThreads(1);
            assertEquals(g.loss(b[0], b[1]), GPT.create(C, 2).setThreads(2).loss(b[0], b[1]), 1e-6);
            float[][] lp1 = g.tokenLogProbs(b[0], b[1]);
            for (int r = 0; r < 5; r++) { // a row's products round differently with the rows beside it
                assertArrayEquals(lp1[r], lp2[r], 1e-5f, "row " + r);
            }
        }
    }

    @Test
    void aFailingLossOnAWorkerThreadReachesTheCaller() {
        int[][][] b = randomBatch(4, 16, 37, 1);
        try (GPT g = GPT.create(C, 2).setThreads(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> g.gradient(b[0], (row0, mb) -> {
                        if (row0 == 2) {
                            throw new IllegalStateException("rows from 2");
                        }
                        return 0;
                    }, TrainConfig.defaults().withBatch(4, 1)));
            assertEquals("rows from 2", e.getMessage());
        }
    }

    /** The bundled OpenBLAS at one thread, called from two Java threads at once, computes what it does alone. */
    @Test
    void openBlasAtOneThreadIsSafeFromTwoJavaThreads() throws Exception {
        int prev = Blas.threads();
        Blas.setThreads(1);
        int n = 96;
        try {
            Buf[] a = new Buf[2], b = new Buf[2], want = new Buf[2];
            Rng r = new Rng(1);
            for (int k = 0; k < 2; k++) {
                a[k] = new Buf(n * n);
                b[k] = new Buf(n * n);
                want[k] = new Buf(n * n);
                for (int i = 0; i < n * n; i++) {
                    a[k].set(i, (float) r.nextGaussian());
                    b[k].set(i, (float) r.nextGaussian());
                }
                Blas.gemm(false, true, n, n, n, 1f, a[k].ptr, n, b[k].ptr, n, 0f, want[k].ptr, n);
            }
            ExecutorService ex = Executors.newFixedThreadPool(2);
            try {
                List<Future<Integer>> fs = new ArrayList<>();
                for (int k = 0; k < 2; k++) {
                    int kk = k;
                    fs.add(ex.submit(() -> {
                        Buf c = new Buf(n * n);
                        int bad = 0;
                        for (int it = 0; it < 300; it++) {
                            Blas.gemm(false, true, n, n, n, 1f, a[kk].ptr, n, b[kk].ptr, n, 0f, c.ptr, n);
                            for (int i = 0; i < n * n; i++) {
                                bad += c.get(i) != want[kk].get(i) ? 1 : 0;
                            }
                        }
                        c.close();
                        return bad;
                    }));
                }
                for (Future<Integer> f : fs) {
                    assertEquals(0, f.get());
                }
            } finally {
                ex.shutdownNow();
            }
        } finally {
            Blas.setThreads(prev);
        }
    }
}
