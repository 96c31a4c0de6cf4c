package io.sparkgpt.trainer.posttrain;

import io.sparkgpt.model.Rng;
import io.sparkgpt.model.posttrain.SftData;
import io.sparkgpt.model.posttrain.SftRow;
import io.sparkgpt.trainer.LocalModel;
import io.sparkgpt.trainer.LocalTrainer;
import io.sparkgpt.trainer.LocalWork;
import io.sparkgpt.trainer.RoundContext;
import io.sparkgpt.trainer.RunConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * SFT's local work: {@code localSteps} steps over the worker's rows, each step a batch of {@code batchSize} rows
 * taken in the order of a permutation drawn from the round's data seed (wrapping around when the shard is small),
 * right-padded ({@link SftData#batch}); the loss is the mean over the batch's assistant targets (-1 elsewhere).
 */
public final class SftTrainer implements LocalTrainer<SftRow[]> {
    private final int padId;

    public SftTrainer(int padId) {
        this.padId = padId;
    }

    @Override
    public LocalWork train(LocalModel model, SftRow[] shard, RoundContext ctx) {
        RunConfig cfg = ctx.cfg();
        if (shard.length == 0) {
            throw new IllegalStateException("worker " + ctx.worker() + " has no training rows");
        }
        int[] perm = permutation(shard.length, new Rng(ctx.dataSeed()));
        double lossSum = 0;
        long tokens = 0;
        int next = 0;
        for (int i = 0; i < cfg.localSteps(); i++) {
            List<SftRow> rows = new ArrayList<>(cfg.batchSize());
            for (int j = 0; j < cfg.batchSize(); j++) {
                rows.add(shard[perm[next++ % perm.length]]);
            }
            int[][][] b = SftData.batch(rows, padId);
            double loss = model.trainStep(b[0], b[1], ctx.lr(i));
            ctx.checkFinite(loss, i);
            lossSum += loss;
            tokens += (long) b[0].length * b[0][0].length;
        }
        return new LocalWork(lossSum, cfg.localSteps(), tokens);
    }

    static int[] permutation(int n, Rng rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
