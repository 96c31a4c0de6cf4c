package io.sparkgpt.model;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * Row-major single-precision matrix products straight into OpenBLAS (the no-LAPACK build that ND4J itself links).
 * DESIGN.md measured this call at 80-170 GFLOP/s where ND4J's {@code mmul} on the same arrays gives 12-58.
 */
final class Blas {
    private Blas() {}

    static final int NO = openblas_nolapack.CblasNoTrans;
    static final int T = openblas_nolapack.CblasTrans;

    /** C[m x n] = alpha * op(A)[m x k] * op(B)[k x n] + beta * C, all row-major with the given leading dims. */
    static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, FloatPointer a, int lda,
                     FloatPointer b, int ldb, float beta, FloatPointer c, int ldc) {
        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, transA ? T : NO, transB ? T : NO, m, n, k, alpha, a, lda, b, ldb,
                beta, c, ldc);
    }

    static void setThreads(int n) {
        openblas_nolapack.blas_set_num_threads(n);
    }

    static int threads() {
        return openblas_nolapack.blas_get_num_threads();
    }
}
