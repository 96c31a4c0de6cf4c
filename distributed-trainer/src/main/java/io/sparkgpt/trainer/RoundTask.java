package io.sparkgpt.trainer;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/**
 * One worker's share of a round, run as the task of partition k (= worker k) over its shard: it loads the round's
 * starting state into a model copy and hands the copy and the shard to the job's {@link LocalTrainer}.
 *
 * <p>Optimiser-state policy: workers keep nothing between rounds that the result depends on. Each task takes a
 * model copy (kept on the executor by {@link ExecutorModels}, or built), loads the broadcast parameters AND the
 * broadcast (averaged) AdamW state, takes {@code localSteps} steps with the global
 * learning-rate schedule, and returns its parameters and its optimiser state; the driver averages both. That is
 * dl4j-spark's ParameterAveragingTrainingMaster default (averageUpdaters = true). Stateless workers are what make
 * a lost executor harmless (Spark re-runs the task and gets the identical result) and a checkpoint small (one
 * model, one optimiser state), at the price of shipping the optimiser state (2x the parameters) each round.
 */
final class RoundTask<S> implements Function2<Integer, Iterator<S>, Iterator<WorkerResult>> {
    private final ModelFactory factory;
    private final LocalTrainer<S> trainer;
    private final Broadcast<float[][]> start;
    private final int round;
    private final RunConfig cfg;

    RoundTask(ModelFactory factory, LocalTrainer<S> trainer, Broadcast<float[][]> start, int round, RunConfig cfg) {
        this.factory = factory;
        this.trainer = trainer;
        this.start = start;
        this.round = round;
        this.cfg = cfg;
    }

    @Override
    public Iterator<WorkerResult> call(Integer worker, Iterator<S> shardIt) {
        if (!shardIt.hasNext()) {
            throw new IllegalStateException("worker " + worker + " has no shard");
        }
        S shard = shardIt.next();
        long t0 = System.nanoTime();
        float[][] s = start.value();
        LocalModel model = ExecutorModels.borrow(factory);
        boolean ok = false;
        try {
            // the task's cores (spark.task.cpus), not the executor's: tasks beside it use the others
            TaskContext task = TaskContext.get();
            Iterator<WorkerResult> out = List.of(work(model, trainer, shard, s[0], s[1], worker, round, cfg,
                    task != null ? task.cpus() : 1, t0)).iterator();
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

    /**
     * One worker's round on a given model copy: everything the result depends on is loaded here, whatever the copy
     * held before ({@code t0}: when the
     * task's setup began). Shared by the Spark task above and by a run's in-process rounds ({@link DistributedTrainer#inProcess}).
     */
    static <S> WorkerResult work(LocalModel model, LocalTrainer<S> trainer, S shard, float[] params, float[] state,
                                 int worker, int round, RunConfig cfg, int threads, long t0) {
        model.setParams(params);
        model.setOptimizerState(state);
        model.reseed(Seeds.mix(Seeds.worker(cfg.seed(), round, worker)));
        model.useThreads(threads);
        long t1 = System.nanoTime();
        LocalWork w = trainer.train(model, shard, new RoundContext(worker, round, cfg));
        long t2 = System.nanoTime();
        return new WorkerResult(worker, model.params(), model.optimizerState(), w.lossSum(), w.steps(), w.tokens(),
                (t2 - t1) / 1e9, (t1 - t0) / 1e9);
    }
}
