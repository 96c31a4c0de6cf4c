package io.sparkgpt.model.infer;

/**
 * The int8 x float product of {@link Int8Linear}: {@code y[r*out + j] = sum_k d[j][k] * (q[j][block k] . x[r][block k])
 * + bias[j]} for output columns {@code j0 <= j < j1}. Two implementations: {@link VectorQ8Kernel} on the JDK's Vector
 * API (int8 loads widened to float lanes, fused multiply-adds: 5-10 GFLOP/s on one AVX-512 core, measured) when the
 * JVM runs with {@code --add-modules jdk.incubator.vector}, and {@link ScalarQ8Kernel} otherwise (plain Java: Java
 * 17's JIT does not vectorise byte-to-float conversions, ~1 GFLOP/s). Both give the same results to float rounding
 * ({@code Q8KernelTest}).
 */
interface Q8Kernel {

    void matmul(byte[] q, float[] d, float[] bias, float[] x, float[] y, int rows, int out, int in, int j0, int j1);

    /** The Vector API kernel when the module is there, else the scalar one. */
    static Q8Kernel best() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            try {
                return (Q8Kernel) Class.forName("io.sparkgpt.model.infer.VectorQ8Kernel").getDeclaredConstructor()
                        .newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                return new ScalarQ8Kernel();
            }
        }
        return new ScalarQ8Kernel();
    }
}
