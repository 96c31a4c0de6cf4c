package io.sparkgpt.trainer;

import io.sparkgpt.model.LrSchedule;
import io.sparkgpt.model.TokenWindows;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/**
 * One worker's share of a round, run as the task of partition k (= worker k) over its token shard.
 *
 * <p>Optimiser-state policy: workers keep nothing between rounds that the result depends on. Each task takes a
 * model copy (kept on the executor by {@link ExecutorModels}, or built), loads the broadcast parameters AND the
 * broadcast (averaged) AdamW state, takes {@code localSteps} steps with the global
 * learning-rate schedule, and returns its parameters and its optimiser state; the driver averages both. That is
 * dl4j-spark's ParameterAveragingTrainingMaster default (averageUpdaters = true). Stateless workers are what make
 * a lost executor harmless (Spark re-runs the task and gets the identical result) and a checkpoint small (one
 * model, one optimiser state), at the price of shipping the optimiser state (2x the parameters) each round.
 */
final class RoundTask implements Function2<Integer, Iterator<int[]>, Iterator<WorkerResult>> {
    private final ModelFactory factory;
    private final Broadcast<float[][]> start;
    private final int round;
    private final RunConfig cfg;

    RoundTask(ModelFactory factory, Broadcast<float[][]> start, int round, RunConfig cfg) {
        this.factory = factory;
        this.start = start;
        this.round = round;
        this.cfg = cfg;
    }

    @Override
    public Iterator<WorkerResult> call(Integer worker, Iterator<int[]> shardIt) {
        if (!shardIt.hasNext()) {
            throw new IllegalStateException("worker " + worker + " has no token shard");
        }
        int[] shard = shardIt.next();
        long t0 = System.nanoTime();
        float[][] s = start.value();
        LocalModel model = ExecutorModels.borrow(factory);
        boolean ok = false;
        try {
            // everything the result depends on is loaded here, whatever the copy held before
            model.setParams(s[0]);
            model.setOptimizerState(s[1]);
            model.reseed(Seeds.mix(Seeds.worker(cfg.seed(), round, worker)));
            // the task's cores (spark.task.cpus), not the executor's: tasks beside it use the others
            TaskContext task = TaskContext.get();
            model.useThreads(task != null ? task.cpus() : 1);
            Iterator<WorkerResult> out = train(worker, shard, model, t0);
            ok = true;
            return out;
        } finally {
            if (ok) {
                ExecutorModels.release(factory, model);
            } else {
                model.close();
            }
        }
    }

    private Iterator<WorkerResult> train(int worker, int[] shard, LocalModel model, long t0) {
        long t1 = System.nanoTime();
        LrSchedule schedule = new LrSchedule(cfg.maxLr(), cfg.minLr(), cfg.warmupSteps(), cfg.decaySteps());
        // the model module's window sampler, seeded by (seed, round, worker): the data position of a worker is
        // a pure function of the round, so a re-run task or a resumed run draws the very same windows
        TokenWindows windows = new TokenWindows(shard, cfg.blockSize(), Seeds.worker(cfg.seed(), round, worker));
        long firstStep = (long) (round - 1) * cfg.localSteps();
        double lossSum = 0;
        for (int i = 0; i < cfg.localSteps(); i++) {
            TokenWindows.Batch b = windows.next(cfg.batchSize());
            double loss = model.trainStep(b.x(), b.y(), schedule.at(firstStep + i));
            if (!Double.isFinite(loss)) {
                throw new IllegalStateException("worker " + worker + " round " + round + " step " + (firstStep + i)
                        + ": loss is " + loss + " (lower --lr or raise --grad-clip's strictness)");
            }
            lossSum += loss;
        }
        long t2 = System.nanoTime();
        long tokens = (long) cfg.localSteps() * cfg.batchSize() * cfg.blockSize();
        return List.of(new WorkerResult(worker, model.params(), model.optimizerState(), lossSum, cfg.localSteps(),
                tokens, (t2 - t1) / 1e9, (t1 - t0) / 1e9)).iterator();
    }
}
