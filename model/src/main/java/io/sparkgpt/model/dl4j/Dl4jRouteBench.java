package io.sparkgpt.model.dl4j;

import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.TokenWindows;
import io.sparkgpt.model.TrainConfig;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.DataSet;

/**
 * bench/dl4j-route.sh: the same GPT (same config, same initial weights, same batches, same AdamW hyper-parameters)
 * trained {@code steps} timed steps (after {@code warmup} untimed ones) through the DL4J {@link ComputationGraph} of
 * {@link Dl4jGpt} and through the fast {@link GPT}, in one JVM. Prints tokens/s of both, each side's loss before and
 * after, and {@code ratio=<DL4J graph / fast GPT tokens/s>} as the last line.
 *
 * <p>Args: {@code C L H T B steps warmup threads}; vocabulary 65 (character-level Shakespeare's), random tokens.
 */
public final class Dl4jRouteBench {
    public static void main(String[] a) {
        int C = Integer.parseInt(a[0]), L = Integer.parseInt(a[1]), H = Integer.parseInt(a[2]);
        int T = Integer.parseInt(a[3]), B = Integer.parseInt(a[4]);
        int steps = Integer.parseInt(a[5]), warm = Integer.parseInt(a[6]), threads = Integer.parseInt(a[7]);
        GPT.setBlasThreads(threads);
        GPTConfig cfg = new GPTConfig(65, T, L, H, C, 0.0, false, true);
        TrainConfig tc = TrainConfig.defaults().withLearningRate(1e-3).withMinLr(1e-3).withWarmupSteps(0)
                .withBetas(0.9, 0.95).withGradClip(0).withBatch(B, 1);
        int[] toks = new Random(1).ints(200_000, 0, cfg.vocabSize()).toArray();
        TokenWindows.Batch[] batches = new TokenWindows.Batch[warm + steps];
        TokenWindows w = new TokenWindows(toks, T, 7);
        for (int i = 0; i < batches.length; i++) {
            batches[i] = w.next(B);
        }
        long tokens = (long) steps * B * T;
        System.out.printf("config: C=%d L=%d H=%d T=%d B=%d V=%d params=%,d threads=%d steps=%d (+%d warmup)%n", C, L,
                H, T, B, cfg.vocabSize(), GPT.countParams(cfg), threads, steps, warm);

        ComputationGraph g = Dl4jGpt.build(cfg, tc, 1);
        DataSet[] ds = new DataSet[batches.length];
        for (int i = 0; i < ds.length; i++) {
            ds[i] = Dl4jGpt.dataSet(batches[i].x(), batches[i].y(), cfg.vocabSize());
        }
        double dl4jBefore = Dl4jGpt.loss(g, batches[0].x(), batches[0].y());
        for (int i = 0; i < warm; i++) {
            g.fit(ds[i]);
        }
        long t0 = System.nanoTime();
        for (int i = warm; i < warm + steps; i++) {
            g.fit(ds[i]);
        }
        double dl4jSec = (System.nanoTime() - t0) / 1e9;
        double dl4jAfter = Dl4jGpt.loss(g, batches[0].x(), batches[0].y());

        double fastSec, fastBefore, fastAfter;
        try (GPT gpt = GPT.create(cfg, 1).setThreads(1)) { // both sides on the same BLAS threads
            fastBefore = gpt.loss(batches[0].x(), batches[0].y());
            for (int i = 0; i < warm; i++) {
                gpt.trainStep(batches[i].x(), batches[i].y(), tc.schedule().at(i), tc);
            }
            long t1 = System.nanoTime();
            for (int i = warm; i < warm + steps; i++) {
                gpt.trainStep(batches[i].x(), batches[i].y(), tc.schedule().at(i), tc);
            }
            fastSec = (System.nanoTime() - t1) / 1e9;
            fastAfter = gpt.loss(batches[0].x(), batches[0].y());
        }
        double dl4jTps = tokens / dl4jSec, fastTps = tokens / fastSec;
        System.out.printf("dl4j ComputationGraph: %.0f tokens/s (%.3f s/step), loss on batch 0 %.4f -> %.4f%n",
                dl4jTps, dl4jSec / steps, dl4jBefore, dl4jAfter);
        System.out.printf("fast GPT (OpenBLAS):   %.0f tokens/s (%.3f s/step), loss on batch 0 %.4f -> %.4f%n",
                fastTps, fastSec / steps, fastBefore, fastAfter);
        System.out.printf("ratio=%.3f%n", dl4jTps / fastTps);
    }
}
