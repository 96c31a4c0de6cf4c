import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.TokenWindows;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.trainer.GptModel;
import io.sparkgpt.trainer.LocalModel;
import io.sparkgpt.trainer.ModelFactory;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;

/**
 * CPU time of a round task's set-up + first step on the bench model (GPT L2 H2 C64 T64, batch 8): a new model copy
 * per task (before ExecutorModels) vs a kept copy (after). CPU time, so it holds on a loaded machine:
 * {@code java -cp distributed-trainer/target/distributed-trainer-*-job.jar bench/distributed/SetupCost.java 30}
 */
public class SetupCost {
    public static void main(String[] a) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        GPTConfig m = new GPTConfig(257, 64, 2, 2, 64, 0, false, true);
        TrainConfig t = TrainConfig.defaults().withLearningRate(2e-3).withMaxSteps(1000).withBatch(8, 1);
        ModelFactory f = GptModel.factory(m, t, 1);
        int[] tokens = new Random(1).ints(200_000, 0, 257).toArray();
        LocalModel ref = f.create();
        float[] p = ref.params(), s = ref.optimizerState();
        LocalModel kept = f.create();
        int reps = Integer.parseInt(a[0]);
        for (int pass = 0; pass < 2; pass++) {     // pass 0 warms the JIT
            long fresh = 0, reuse = 0;
            for (int i = 0; i < reps; i++) {
                long c0 = mx.getCurrentThreadCpuTime();
                try (LocalModel x = f.create()) { round(x, p, s, tokens); }
                long c1 = mx.getCurrentThreadCpuTime();
                round(kept, p, s, tokens);
                long c2 = mx.getCurrentThreadCpuTime();
                fresh += c1 - c0; reuse += c2 - c1;
            }
            System.out.printf("pass %d: new copy + load + 1 step %.1f ms CPU, kept copy + load + 1 step %.1f ms CPU%n",
                    pass, fresh / 1e6 / reps, reuse / 1e6 / reps);
        }
    }

    static void round(LocalModel x, float[] p, float[] s, int[] tokens) {
        x.setParams(p); x.setOptimizerState(s); x.reseed(3);
        TokenWindows.Batch b = new TokenWindows(tokens, 64, 5).next(8);
        x.trainStep(b.x(), b.y(), 1e-3);
    }
}
