package io.sparkgpt.trainer;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.spark.JobProgress;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The training master: rounds of broadcast -> local work on every worker -> tree-aggregated average -> outer
 * step, with validation, early stopping, checkpoints, resume and metrics, all on the driver.
 *
 * <p>What a worker does with its shard in a round is the job's {@link LocalTrainer} (token windows for
 * pretraining, masked chat examples for SFT, preference pairs for a reward model or DPO), and what the driver
 * measures on held-out data is the job's {@link Validation}; the early-stopping figure is the {@link StopRule}'s.
 * Everything else - and so the resume bit for bit - is the same for every kind of training. {@link #run} reads as
 * its stages: {@link #restore}, then per round {@link #trainRound}, {@link #validate}, {@link #logRound},
 * {@link #checkpoint}, and at the end {@link #finish}.
 *
 * @param <S> one worker's shard (the single element of each of the {@code workers} partitions)
 */
public final class DistributedTrainer<S> {
    /** Saves the driver's copy of the final model in the model module's own format. */
    public interface FinalModelWriter {
        void write(LocalModel model, String dir, Progress progress);
    }

    /**
     * What makes a run: its name (chart titles), the local work, the validation, the stopping rule, and the
     * parameters it starts from ({@code initialParams}: a trained model's for post-training, {@code --init}; null =
     * the factory's fresh initialisation). The optimiser state always starts fresh (zero moments, step 0).
     */
    public record Job<S>(String name, LocalTrainer<S> trainer, Validation validation, StopRule stopRule,
                         float[] initialParams) {
        public Job(String name, LocalTrainer<S> trainer, Validation validation, StopRule stopRule) {
            this(name, trainer, validation, stopRule, null);
        }
    }

    private final JavaSparkContext sc;
    private final Storage storage;
    private final RunConfig cfg;
    private final ModelFactory factory;
    private final JavaRDD<S> shards;
    private final S localShard;
    private final List<Long> shardSizes;
    private final Job<S> job;
    private final String runDir;
    private final PrintStream progress;

    /**
     * @param shards     {@code cfg.workers()} partitions of one shard each
     * @param shardSizes a fingerprint of each shard (tokens, examples), checked on resume so that a run is never
     *                   continued on different data
     */
    public DistributedTrainer(JavaSparkContext sc, Storage storage, RunConfig cfg, ModelFactory factory,
                              JavaRDD<S> shards, List<Long> shardSizes, Job<S> job, String runDir,
                              PrintStream progress) {
        this(sc, shards, null, storage, cfg, factory, shardSizes, job, runDir, progress);
        if (shards.getNumPartitions() != cfg.workers()) {
            throw new IllegalArgumentException("shards have " + shards.getNumPartitions() + " partitions, workers "
                    + cfg.workers());
        }
    }

    /** Either Spark tasks over {@code shards} or, with {@code sc == null}, one worker in process on {@code localShard}. */
    private DistributedTrainer(JavaSparkContext sc, JavaRDD<S> shards, S localShard, Storage storage, RunConfig cfg,
                               ModelFactory factory, List<Long> shardSizes, Job<S> job, String runDir,
                               PrintStream progress) {
        this.sc = sc;
        this.shards = shards;
        this.localShard = localShard;
        this.storage = storage;
        this.cfg = cfg;
        this.factory = factory;
        this.shardSizes = List.copyOf(shardSizes);
        this.job = job;
        this.runDir = runDir;
        this.progress = progress;
    }

    /**
     * The same run - local work, validation, early stopping, checkpoints, resume, metrics, charts - with one worker
     * on the calling thread instead of Spark tasks: a hyperparameter trial or a cross-validation fold, which is itself
     * one Spark task ({@code io.sparkgpt.trainer.tune}), trains this way on its executor core. With one worker and
     * no outer optimiser the average is that worker's result, so the run equals a one-worker Spark run.
     */
    public static <S> DistributedTrainer<S> inProcess(Storage storage, RunConfig cfg, ModelFactory factory, S shard,
                                                      long shardSize, Job<S> job, String runDir,
                                                      PrintStream progress) {
        if (cfg.workers() != 1) {
            throw new IllegalArgumentException("an in-process run has one worker, not " + cfg.workers());
        }
        return new DistributedTrainer<>(null, null, shard, storage, cfg, factory, List.of(shardSize), job, runDir,
                progress);
    }

    /** Pretraining: random windows of each worker's token stream, validation loss on fixed windows. */
    public static DistributedTrainer<int[]> pretraining(JavaSparkContext sc, Storage storage, RunConfig cfg,
                                                        ModelFactory factory, JavaRDD<int[]> shards,
                                                        List<Long> shardTokens, int[] valTokens, String runDir,
                                                        PrintStream progress) {
        return new DistributedTrainer<>(sc, storage, cfg, factory, shards, shardTokens, pretrainingJob(cfg, valTokens),
                runDir, progress);
    }

    /** Pretraining's local work, validation and stopping rule (for a Spark run or an in-process one). */
    public static Job<int[]> pretrainingJob(RunConfig cfg, int[] valTokens) {
        return new Job<>("sparkgpt pretraining", new TokenWindowTrainer(),
                new TokenWindowValidation(valTokens, cfg.blockSize(), cfg.evalWindows(), cfg.batchSize()),
                StopRule.loss(cfg.patience()));
    }

    /** Where the run stands when the final model is written; {@code bestValLoss} is the best stop-rule figure. */
    public record Progress(long steps, Double bestValLoss) {
    }

    /**
     * What a finished run reports (also written as {@code summary.json}). {@code bestValLoss} is the best value of
     * {@code stopMetric} (the validation loss unless the job chose another figure; with {@code max:}/{@code min:}
     * where its direction is not the one its name implies, {@link StopRule#spec}), {@code lastMetrics} the last
     * evaluation's figures.
     */
    public record Summary(int rounds, long steps, long tokensSeen, double trainLoss, Double valLoss,
                          Double bestValLoss, boolean stoppedEarly, int resumedFromRound, String paramsSha256,
                          double seconds, double meanTokensPerSecond, double meanAveragingShare, String stopMetric,
                          Map<String, Double> lastMetrics) {
    }

    /** The driver's state between rounds: what a checkpoint holds, plus the last figures. */
    private static final class RunState {
        float[] params;
        float[] state;
        int round;
        long tokensSeen;
        Double best;
        int badEvals;
        int resumedFrom = -1;
        boolean stoppedEarly;
        double lastTrain = Double.NaN;
        Double lastVal;
        Map<String, Double> lastMetrics;
        int firstRound;
        long runStart;
    }

    private float[] initParams;
    private float[] initState;

    /**
     * Continued pretraining: start from these parameters (and AdamW state, null: fresh) instead of the factory's
     * initialisation; a complete checkpoint of this run, when resuming, still takes precedence.
     */
    public void initFrom(float[] params, float[] optimizerState) {
        this.initParams = params.clone();
        this.initState = optimizerState == null ? null : optimizerState.clone();
    }

    public Summary run(boolean resume, FinalModelWriter finalWriter) {
        long t0 = System.nanoTime();
        RunCheckpoints ckpts = new RunCheckpoints(storage, runDir);
        MetricsLog metrics = new MetricsLog(storage, Storage.child(runDir, "metrics.jsonl"));
        OuterOptimizer outer = new OuterOptimizer(cfg.outer(), cfg.outerLr(), cfg.outerMomentum());
        LocalModel driverModel = factory.create();
        RunState st = restore(resume, ckpts, metrics, outer, driverModel);
        // one line per round below (with its ETA): the generic per-job progress lines stay quiet
        if (sc != null) {
            sc.setLocalProperty(JobProgress.OWN_PROGRESS, "true");
        }
        st.firstRound = st.round;
        st.runStart = System.nanoTime();
        while (st.round < cfg.rounds() && !st.stoppedEarly) {
            st.round++;
            long r0 = System.nanoTime();
            ParamSum sum = sc == null ? trainInProcess(st, outer, driverModel) : trainRound(st, outer);
            double roundSec = (System.nanoTime() - r0) / 1e9;
            Map<String, Double> figures = validate(st, driverModel);
            logRound(st, sum, roundSec, figures, metrics);
            boolean due = cfg.checkpointEvery() > 0 && st.round % cfg.checkpointEvery() == 0;
            if (due || st.round == cfg.rounds() || st.stoppedEarly) {
                checkpoint(ckpts, st, outer);
            }
            if (due || figures != null || st.round - st.firstRound == 1) {
                writeLossChart(metrics.rounds()); // the curve follows the run, not only its end
            }
        }
        Summary s = finish(st, driverModel, metrics, finalWriter, t0);
        if (sc == null) {
            driverModel.close(); // an executor runs many trials: free each one's buffers
        }
        return s;
    }

    /** Stage 1: the starting state - the last complete checkpoint when resuming, else the model's initial state. */
    private RunState restore(boolean resume, RunCheckpoints ckpts, MetricsLog metrics, OuterOptimizer outer,
                             LocalModel driverModel) {
        RunState st = new RunState();
        st.params = driverModel.params();
        float[] init = initParams != null ? initParams : job.initialParams();
        if (init != null) {
            if (init.length != st.params.length) {
                throw new UsageException("the initial model holds " + init.length + " parameters, the "
                        + "model configured holds " + st.params.length);
            }
            st.params = init.clone();
        }
        st.state = driverModel.optimizerState();
        if (initState != null) {
            if (initState.length != st.state.length) {
                throw new UsageException("the initial model's optimizer state holds " + initState.length
                        + " values, the model configured needs " + st.state.length);
            }
            st.state = initState.clone();
        }
        OptionalInt last = resume ? ckpts.latestComplete() : OptionalInt.empty();
        if (last.isEmpty()) {
            metrics.loadUpTo(-1);
            if (resume) {
                progress.println("no complete checkpoint under " + runDir + ": starting from round 0");
            }
            return st;
        }
        String dir = ckpts.dir(last.getAsInt());
        TrainerState ts = Json.read(storage.readString(Storage.child(dir, "trainer.json")), TrainerState.class);
        checkCompatible(ts, dir);
        st.params = FloatArrays.fromBytes(storage.readAll(Storage.child(dir, "params.bin")), dir + "/params.bin");
        st.state = FloatArrays.fromBytes(storage.readAll(Storage.child(dir, "optimizer.bin")), dir + "/optimizer.bin");
        String vel = Storage.child(dir, "outer-momentum.bin");
        if (storage.exists(vel)) {
            outer.setVelocity(FloatArrays.fromBytes(storage.readAll(vel), vel));
        }
        if (st.params.length != driverModel.numParams()) {
            throw new UsageException("checkpoint " + dir + " holds " + st.params.length + " parameters, the model "
                    + "configured now has " + driverModel.numParams() + ": resume with the same model options");
        }
        st.round = ts.round();
        st.tokensSeen = ts.tokensSeen();
        st.best = ts.bestValLoss();
        st.badEvals = ts.evalsWithoutImprovement();
        st.resumedFrom = st.round;
        metrics.loadUpTo(st.round);
        progress.printf("resuming from %s (round %d, step %d, %,d tokens seen)%n", dir, st.round, ts.step(),
                st.tokensSeen);
        return st;
    }

    /** Stage 2: one round - broadcast, every worker's local work, tree-aggregated average, outer step. */
    private ParamSum trainRound(RunState st, OuterOptimizer outer) {
        Broadcast<float[][]> bc = sc.broadcast(new float[][] {st.params, st.state});
        ParamSum sum = shards.mapPartitionsWithIndex(new RoundTask<>(factory, job.trainer(), bc, st.round, cfg), true)
                .treeAggregate(ParamSum.zero(), ParamSum::add, ParamSum::merge, cfg.treeDepth());
        if (sum.workers() != cfg.workers() || sum.workerSetHash() != ParamSum.expectedWorkerSetHash(cfg.workers())) {
            throw new IllegalStateException("round " + st.round + ": averaged " + sum.workers() + " worker results, "
                    + "expected each of " + cfg.workers() + " exactly once");
        }
        st.params = outer.step(st.params, sum.averageParams());
        st.state = sum.averageState();
        bc.destroy();
        st.tokensSeen += sum.tokens();
        st.lastTrain = sum.meanLoss();
        return sum;
    }

    /** Stage 2 in-process: the one worker's round on the driver's own model copy (validation reloads it after). */
    private ParamSum trainInProcess(RunState st, OuterOptimizer outer, LocalModel model) {
        ParamSum sum = ParamSum.zero().add(RoundTask.work(model, job.trainer(), localShard, st.params, st.state, 0,
                st.round, cfg, 1, System.nanoTime()));
        st.params = outer.step(st.params, sum.averageParams());
        st.state = sum.averageState();
        st.tokensSeen += sum.tokens();
        st.lastTrain = sum.meanLoss();
        return sum;
    }

    /** Stage 3: validation when due (every evalEvery rounds and at the last), and the early-stopping decision. */
    private Map<String, Double> validate(RunState st, LocalModel driverModel) {
        boolean due = (cfg.evalEvery() > 0 && st.round % cfg.evalEvery() == 0) || st.round == cfg.rounds();
        if (!due || !job.validation().available()) {
            return null;
        }
        long e0 = System.nanoTime();
        driverModel.setParams(st.params);
        Map<String, Double> figures = new TreeMap<>(job.validation().evaluate(driverModel));
        figures.put("eval_s", (System.nanoTime() - e0) / 1e9);
        st.lastVal = figures.get(Validation.LOSS);
        st.lastMetrics = figures;
        StopRule rule = job.stopRule();
        Double value = figures.get(rule.metric());
        if (value == null) {
            throw new UsageException("the early-stopping metric '" + rule.metric() + "' is not one of the validation's "
                    + "figures " + figures.keySet());
        }
        if (rule.better(value, st.best)) {
            st.best = value;
            st.badEvals = 0;
        } else {
            st.badEvals++;
            if (rule.patience() > 0 && st.badEvals >= rule.patience()) {
                st.stoppedEarly = true;
            }
        }
        return figures;
    }

    /** Stage 4: the round's line in metrics.jsonl and on the progress stream. */
    private void logRound(RunState st, ParamSum sum, double roundSec, Map<String, Double> figures,
                          MetricsLog metrics) {
        long step = (long) st.round * cfg.localSteps();
        Double val = figures == null ? null : figures.get(Validation.LOSS);
        Double evalSec = figures == null ? null : figures.get("eval_s");
        Map<String, Double> extra = null;
        if (figures != null) {
            extra = new TreeMap<>(figures);
            extra.remove(Validation.LOSS);
            extra.remove("eval_s");
            extra = extra.isEmpty() ? null : extra;
        }
        double compute = sum.maxComputeSeconds();
        double averaging = Math.max(0, roundSec - compute);
        double lr = cfg.schedule().at(step - 1);
        RoundMetrics m = new RoundMetrics(st.round, step, st.tokensSeen, st.lastTrain, val, lr,
                sum.tokens() / roundSec, roundSec, compute, sum.maxSetupSeconds(), averaging, averaging / roundSec,
                evalSec, sum.workers(), extra);
        metrics.append(m);
        StringBuilder figs = new StringBuilder();
        if (val != null) {
            figs.append(String.format(" val %.4f", val));
        }
        if (extra != null) {
            extra.forEach((k, v) -> figs.append(String.format(" %s %.4f", k, v)));
        }
        double elapsed = (System.nanoTime() - st.runStart) / 1e9;
        progress.printf("round %d/%d step %d tokens %,d train %.4f%s lr %.2e %,.0f tok/s compute %.2fs "
                        + "averaging %.2fs (%.1f%%) ETA %s%s%n", st.round, cfg.rounds(), step, st.tokensSeen,
                st.lastTrain, figs, lr, m.tokensPerSecond(), compute, averaging, 100 * m.averagingShare(),
                JobProgress.eta(st.round - st.firstRound, cfg.rounds() - st.firstRound, elapsed), st.stoppedEarly
                        ? " - no improvement of " + job.stopRule().metric() + " in " + st.badEvals
                        + " evaluations: stopping" : "");
    }

    /** Stage 5: an atomic checkpoint (parameters, optimiser state, outer momentum, trainer state). */
    private void checkpoint(RunCheckpoints ckpts, RunState st, OuterOptimizer outer) {
        long step = (long) st.round * cfg.localSteps();
        String dir = ckpts.begin(st.round);
        storage.writeAtomically(Storage.child(dir, "params.bin"), FloatArrays.toBytes(st.params));
        storage.writeAtomically(Storage.child(dir, "optimizer.bin"), FloatArrays.toBytes(st.state));
        float[] vel = outer.velocity();
        if (vel != null) {
            storage.writeAtomically(Storage.child(dir, "outer-momentum.bin"), FloatArrays.toBytes(vel));
        }
        TrainerState ts = new TrainerState(st.round, step, st.tokensSeen, cfg.seed(), cfg.workers(), cfg.localSteps(),
                shardSizes, st.best, st.badEvals, FloatArrays.sha256(st.params), cfg.outer().name().toLowerCase());
        storage.writeString(Storage.child(dir, "trainer.json"), Json.write(ts));
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("run", cfg);
        storage.writeString(Storage.child(dir, "run-config.json"), Json.write(run));
        ckpts.commit(st.round, cfg.keepCheckpoints());
    }

    /** Stage 6: the final model, the charts, summary.json and the run's _SUCCESS. */
    private Summary finish(RunState st, LocalModel driverModel, MetricsLog metrics, FinalModelWriter finalWriter,
                           long t0) {
        driverModel.setParams(st.params);
        driverModel.setOptimizerState(st.state);
        long steps = (long) st.round * cfg.localSteps();
        if (finalWriter != null) {
            String modelDir = Storage.child(runDir, "model");
            storage.delete(modelDir);
            finalWriter.write(driverModel, modelDir, new Progress(steps, st.best));
        }
        List<RoundMetrics> all = metrics.rounds();
        writeLossChart(all);
        if (all.stream().anyMatch(r -> r.metrics() != null)) {
            storage.writeAtomically(Storage.child(runDir, "metrics.png"), LossChart.metricsPng(all, job.name()
                    + ": validation figures"));
        }
        double tps = all.stream().mapToDouble(RoundMetrics::tokensPerSecond).average().orElse(Double.NaN);
        double share = all.stream().mapToDouble(RoundMetrics::averagingShare).average().orElse(Double.NaN);
        Summary s = new Summary(st.round, steps, st.tokensSeen, st.lastTrain, st.lastVal, st.best, st.stoppedEarly,
                st.resumedFrom, FloatArrays.sha256(st.params), (System.nanoTime() - t0) / 1e9, tps, share,
                job.stopRule().spec(), st.lastMetrics);
        storage.writeString(Storage.child(runDir, "summary.json"), Json.write(s));
        storage.markComplete(runDir);
        progress.printf("done: %d rounds, %,d tokens, train %.4f, val %s, params sha256 %s%n", st.round, st.tokensSeen,
                st.lastTrain, st.lastVal == null ? "-" : String.format("%.4f", st.lastVal), s.paramsSha256());
        return s;
    }

    private void writeLossChart(List<RoundMetrics> rounds) {
        storage.writeAtomically(Storage.child(runDir, "loss.png"),
                LossChart.png(rounds, job.name() + ": " + cfg.workers() + " workers x " + cfg.localSteps()
                        + " local steps"));
    }

    private void checkCompatible(TrainerState ts, String dir) {
        List<String> diffs = new ArrayList<>();
        if (ts.workers() != cfg.workers()) {
            diffs.add("workers " + ts.workers() + " vs " + cfg.workers());
        }
        if (ts.seed() != cfg.seed()) {
            diffs.add("seed " + ts.seed() + " vs " + cfg.seed());
        }
        if (ts.localSteps() != cfg.localSteps()) {
            diffs.add("local-steps " + ts.localSteps() + " vs " + cfg.localSteps());
        }
        if (!ts.shardTokens().equals(shardSizes)) {
            diffs.add("shards " + ts.shardTokens() + " vs " + shardSizes + " (different data)");
        }
        if (!diffs.isEmpty()) {
            throw new UsageException("checkpoint " + dir + " was written by a different run (" + String.join(", ", diffs)
                    + "): resume with the same options or use --overwrite");
        }
    }
}
