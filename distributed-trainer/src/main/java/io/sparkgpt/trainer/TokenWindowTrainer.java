package io.sparkgpt.trainer;

import io.sparkgpt.model.TokenWindows;

/**
 * Pretraining's local work: {@code localSteps} steps on random windows of the worker's token stream, drawn by the
 * model module's window sampler seeded with (seed, round, worker), so the data position of a worker is a pure
 * function of the round and a re-run task or a resumed run draws the very same windows.
 */
public final class TokenWindowTrainer implements LocalTrainer<int[]> {
    @Override
    public LocalWork train(LocalModel model, int[] shard, RoundContext ctx) {
        RunConfig cfg = ctx.cfg();
        TokenWindows windows = new TokenWindows(shard, cfg.blockSize(), ctx.dataSeed());
        double lossSum = 0;
        for (int i = 0; i < cfg.localSteps(); i++) {
            TokenWindows.Batch b = windows.next(cfg.batchSize());
            double loss = model.trainStep(b.x(), b.y(), ctx.lr(i));
            ctx.checkFinite(loss, i);
            lossSum += loss;
        }
        return new LocalWork(lossSum, cfg.localSteps(), (long) cfg.localSteps() * cfg.batchSize() * cfg.blockSize());
    }
}
