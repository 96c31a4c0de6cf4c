package io.sparkgpt.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A training run's bits must not depend on when the JIT compiled the kernels: the Vector API kernels give the same
 * bits interpreted (a child JVM with {@code -Xint}) as compiled (this JVM, after warm-up). A guard: {@code
 * reduceLanes(ADD)} leaves the order of its sum unspecified, and a kernel whose compiled form sums in another order
 * than the interpreter would make a run's parameters depend on when C2 compiled it.
 */
class KernelsDeterminismTest {
    private static final int BT = 16, C = 64, T = 32;

    /** Runs the kernels whose results sum over lanes on fixed inputs; returns the bits of every output. */
    static String fingerprint(Kernels k) {
        Random rnd = new Random(5);
        Buf in = filled(BT * C, rnd), p = filled(2 * C, rnd), dOut = filled(BT * C, rnd);
        Buf out = new Buf(BT * C), mean = new Buf(BT), rstd = new Buf(BT), dIn = new Buf(BT * C),
                g = new Buf(2 * C), att = filled(T * T, rnd), dp = filled(T * T, rnd);
        k.layerNorm(out, mean, rstd, in, p, 0, C, BT, C);
        k.layerNormBackward(dIn, dOut, in, mean, rstd, p, g, 0, C, BT, C);
        k.softmaxCausal(att, 0, T);
        k.softmaxBackward(att, 0, dp, T, 0.125f);
        double ss = k.sumSquares(dIn, 0, BT * C);
        long h = Double.doubleToLongBits(ss);
        for (Buf b : new Buf[] {out, mean, rstd, dIn, g, att, dp}) {
            for (int i = 0; i < b.n; i++) {
                h = h * 31 + Float.floatToRawIntBits(b.get(i));
            }
        }
        for (Buf b : new Buf[] {in, p, dOut, out, mean, rstd, dIn, g, att, dp}) {
            b.close();
        }
        return Long.toHexString(h);
    }

    private static Buf filled(int n, Random rnd) {
        Buf b = new Buf(n);
        for (int i = 0; i < n; i++) {
            b.set(i, (float) rnd.nextGaussian());
        }
        return b;
    }

    /** The child JVM's entry point: prints the interpreted fingerprint. */
    public static void main(String[] args) {
        System.out.println("fingerprint=" + fingerprint(Kernels.best()));
    }

    @Test
    void interpretedAndCompiledKernelsGiveTheSameBits() throws IOException, InterruptedException {
        Kernels k = Kernels.best();
        assertEquals(VectorKernels.class, k.getClass());
        for (int i = 0; i < 3000; i++) { // until C2 has compiled the kernels and their reductions
            fingerprint(k);
        }
        String compiled = fingerprint(k);

        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xint", "--add-modules", "jdk.incubator.vector", "-cp", cp, KernelsDeterminismTest.class.getName()));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        child.waitFor(120, TimeUnit.SECONDS);
        String interpreted = output.lines().filter(l -> l.startsWith("fingerprint="))
                .map(l -> l.substring("fingerprint=".length())).findFirst()
                .orElseThrow(() -> new AssertionError("the -Xint JVM printed no fingerprint:\n" + output));
        assertEquals(interpreted, compiled, "kernels interpreted (-Xint) vs compiled");
    }
}
