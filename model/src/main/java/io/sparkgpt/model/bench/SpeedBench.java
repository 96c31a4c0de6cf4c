package io.sparkgpt.model.bench;

import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.TokenWindows;
import io.sparkgpt.model.TrainConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * Training-speed benchmark of {@link GPT} (used by bench/gpt-speed.sh beside the PyTorch peer): random tokens,
 * {@code warmup} untimed steps (and at least 3 s of them: JIT warm-up; their rate is printed as the cold figure,
 * {@code first_tokens_per_s}), then {@code steps} timed optimizer steps (the steady figure, {@code tokens_per_s});
 * prints tokens/s, achieved FLOP/s (nanoGPT's estimate: 6N + 12 L C T per token) and the machine's sgemm peak
 * (1024^3 through the same OpenBLAS). With {@code profile} it samples the main thread's stack every 5 ms and prints the hottest frames.
 *
 * <p>Args: {@code C L H T B steps warmup threads [blasThreads] [profile]}: {@code threads} worker threads of the
 * GPT (each a share of the batch), {@code blasThreads} OpenBLAS threads (default 1; more only with 1 worker). The
 * first line says which BLAS library the process mapped.
 */
public final class SpeedBench {
    private static final double WARM_SECONDS = 3;

    public static void main(String[] a) throws Exception {
        int C = Integer.parseInt(a[0]), L = Integer.parseInt(a[1]), H = Integer.parseInt(a[2]);
        int T = Integer.parseInt(a[3]), B = Integer.parseInt(a[4]);
        int steps = Integer.parseInt(a[5]), warm = Integer.parseInt(a[6]), threads = Integer.parseInt(a[7]);
        boolean profile = a[a.length - 1].equals("profile");
        int blas = a.length > 8 && !a[8].equals("profile") ? Integer.parseInt(a[8]) : 1;
        if (blas > 1 && threads > 1) {
            throw new IllegalArgumentException("blasThreads " + blas + " needs threads 1 (the workers run one BLAS "
                    + "thread each)");
        }
        GPT.setBlasThreads(blas);
        System.out.println("blas: bundled OpenBLAS " + openblas_nolapack.OPENBLAS_VERSION.trim() + ", "
                + GPT.blasThreads() + " thread(s), OPENBLAS_CORETYPE="
                + System.getenv().getOrDefault("OPENBLAS_CORETYPE", "-") + ", mapped " + mappedBlas());
        int V = 65;
        GPTConfig cfg = new GPTConfig(V, T, L, H, C, 0.0, false, true);
        TrainConfig tc = TrainConfig.defaults().withBatch(B, 1);
        int[] toks = new Random(1).ints(200_000, 0, V).toArray();
        TokenWindows w = new TokenWindows(toks, T, 7);
        double peak = gemmPeak();
        try (GPT g = GPT.create(cfg, 1).setThreads(threads)) {
            System.out.println("kernels: " + g.kernels());
            // untimed: at least `warm` steps and WARM_SECONDS, so that the JIT has compiled the Vector API kernels
            // (interpreted, they run 100x slower) before the clock starts
            long warmStart = System.nanoTime(), firstStep = 0;
            int warmSteps = 0;
            for (; warmSteps < warm || System.nanoTime() - warmStart < WARM_SECONDS * 1e9; warmSteps++) {
                TokenWindows.Batch b = w.next(B);
                g.trainStep(b.x(), b.y(), 1e-3, tc);
                if (warmSteps == 0) {
                    firstStep = System.nanoTime() - warmStart;
                }
            }
            double warmSecs = (System.nanoTime() - warmStart) / 1e9;
            // the cold figure beside the steady one: a skeptic wants both (gpt-speed.sh prints them)
            System.out.printf("warmup: %d steps in %.2f s (first step %.3f s), %.0f tokens/s%n", warmSteps, warmSecs,
                    firstStep / 1e9, (double) warmSteps * B * T / warmSecs);
            System.out.printf("first_tokens_per_s=%.1f%n", (double) warmSteps * B * T / warmSecs);
            Thread main = Thread.currentThread();
            AtomicBoolean done = new AtomicBoolean();
            Map<String, Integer> hist = new HashMap<>();
            Thread sampler = new Thread(() -> {
                while (!done.get()) {
                    StackTraceElement[] st = main.getStackTrace();
                    String key = "?";
                    for (StackTraceElement e : st) {
                        if (e.getClassName().startsWith("io.sparkgpt.model.GPT")) {
                            key = st[0].getMethodName() + " <- " + e.getMethodName() + ":" + e.getLineNumber();
                            break;
                        }
                    }
                    hist.merge(key, 1, Integer::sum);
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException ex) {
                        return;
                    }
                }
            });
            sampler.setDaemon(true);
            if (profile) {
                sampler.start();
            }
            long t0 = System.nanoTime(), cpu0 = processCpuNanos();
            for (int i = 0; i < steps; i++) {
                TokenWindows.Batch b = w.next(B);
                g.trainStep(b.x(), b.y(), 1e-3, tc);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            double cpuSecs = (processCpuNanos() - cpu0) / 1e9;
            done.set(true);
            double tps = (double) steps * B * T / secs;
            double flopsPerTok = 6.0 * g.numParams() + 12.0 * L * C * T;
            System.out.printf("ours C=%d L=%d H=%d T=%d B=%d threads=%d blas=%d params=%d: %.3f s/step, %.0f tokens/s, "
                            + "%.1f GFLOP/s, sgemm peak %.1f GFLOP/s, MFU %.1f%%%n", C, L, H, T, B, threads, blas,
                    g.numParams(), secs / steps, tps, tps * flopsPerTok / 1e9, peak, 100 * tps * flopsPerTok / 1e9 / peak);
            if (profile) {
                int total = hist.values().stream().mapToInt(Integer::intValue).sum();
                hist.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(25)
                        .forEach(e -> System.out.printf("  %5.1f%% %s%n", 100.0 * e.getValue() / total, e.getKey()));
            }
            // CPU seconds per step (all threads): on a loaded machine the wall time says little, but a split that
            // adds no work shows the same CPU time per step at 1 and at 2 workers
            System.out.printf("cpu %.3f s/step (process, all threads)%n", cpuSecs / steps);
            System.out.printf("tokens_per_s=%.1f%n", tps);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** The BLAS libraries this process has mapped (from /proc/self/maps; "?" where there is none). */
    static String mappedBlas() {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/maps")).stream()
                    .map(l -> l.substring(l.lastIndexOf(' ') + 1))
                    .filter(f -> f.substring(f.lastIndexOf('/') + 1).contains("blas")).distinct()
                    .collect(java.util.stream.Collectors.joining(" "));
        } catch (java.io.IOException | RuntimeException e) {
            return "?";
        }
    }

    /** GFLOP/s of a 1024^3 sgemm through the same OpenBLAS (best of 5). */
    static double gemmPeak() {
        int n = 1024;
        FloatPointer a = new FloatPointer((long) n * n), b = new FloatPointer((long) n * n),
                c = new FloatPointer((long) n * n);
        for (long i = 0; i < (long) n * n; i++) {
            a.put(i, (float) Math.sin(i));
            b.put(i, (float) Math.cos(i));
        }
        double best = 0;
        for (int r = 0; r < 6; r++) {
            long t0 = System.nanoTime();
            openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans,
                    openblas_nolapack.CblasNoTrans, n, n, n, 1f, a, n, b, n, 0f, c, n);
            double s = (System.nanoTime() - t0) / 1e9;
            if (r > 0) {
                best = Math.max(best, 2.0 * n * n * n / s / 1e9);
            }
        }
        a.deallocate();
        b.deallocate();
        c.deallocate();
        return best;
    }
}
