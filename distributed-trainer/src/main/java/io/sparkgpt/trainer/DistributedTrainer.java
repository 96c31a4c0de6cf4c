package io.sparkgpt.trainer;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The training master: rounds of broadcast -> local steps on every worker -> tree-aggregated average -> outer
 * step, with validation, early stopping, checkpoints, resume and metrics, all on the driver.
 */
public final class DistributedTrainer {
    /** Saves the driver's copy of the final model in the model module's own format. */
    public interface FinalModelWriter {
        void write(LocalModel model, String dir, Progress progress);
    }

    private final JavaSparkContext sc;
    private final Storage storage;
    private final RunConfig cfg;
    private final ModelFactory factory;
    private final JavaRDD<int[]> shards;
    private final List<Long> shardTokens;
    private final int[] valTokens;
    private final String runDir;
    private final PrintStream progress;

    public DistributedTrainer(JavaSparkContext sc, Storage storage, RunConfig cfg, ModelFactory factory,
                              JavaRDD<int[]> shards, List<Long> shardTokens, int[] valTokens, String runDir,
                              PrintStream progress) {
        if (shards.getNumPartitions() != cfg.workers()) {
            throw new IllegalArgumentException("shards have " + shards.getNumPartitions() + " partitions, workers "
                    + cfg.workers());
        }
        this.sc = sc;
        this.storage = storage;
        this.cfg = cfg;
        this.factory = factory;
        this.shards = shards;
        this.shardTokens = List.copyOf(shardTokens);
        this.valTokens = valTokens;
        this.runDir = runDir;
        this.progress = progress;
    }

    /** Where the run stands when the final model is written. */
    public record Progress(long steps, Double bestValLoss) {
    }

    /** What a finished run reports (also written as {@code summary.json}). */
    public record Summary(int rounds, long steps, long tokensSeen, double trainLoss, Double valLoss,
                          Double bestValLoss, boolean stoppedEarly, int resumedFromRound, String paramsSha256,
                          double seconds, double meanTokensPerSecond, double meanAveragingShare) {
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
        float[] params = driverModel.params();
        float[] state = driverModel.optimizerState();
        if (initParams != null) {
            if (initParams.length != params.length || (initState != null && initState.length != state.length)) {
                throw new UsageException("the --init model holds " + initParams.length + " parameters, the model "
                        + "configured has " + params.length);
            }
            params = initParams.clone();
            state = initState != null ? initState.clone() : state;
        }
        int round = 0;
        long tokensSeen = 0;
        Double bestVal = null;
        int badEvals = 0;
        int resumedFrom = -1;

        OptionalInt last = resume ? ckpts.latestComplete() : OptionalInt.empty();
        if (last.isPresent()) {
            String dir = ckpts.dir(last.getAsInt());
            TrainerState ts = Json.read(storage.readString(Storage.child(dir, "trainer.json")), TrainerState.class);
            checkCompatible(ts, dir);
            params = FloatArrays.fromBytes(storage.readAll(Storage.child(dir, "params.bin")), dir + "/params.bin");
            state = FloatArrays.fromBytes(storage.readAll(Storage.child(dir, "optimizer.bin")),
                    dir + "/optimizer.bin");
            String vel = Storage.child(dir, "outer-momentum.bin");
            if (storage.exists(vel)) {
                outer.setVelocity(FloatArrays.fromBytes(storage.readAll(vel), vel));
            }
            if (params.length != driverModel.numParams()) {
                throw new UsageException("checkpoint " + dir + " holds " + params.length + " parameters, the model "
                        + "configured now has " + driverModel.numParams() + ": resume with the same model options");
            }
            round = ts.round();
            tokensSeen = ts.tokensSeen();
            bestVal = ts.bestValLoss();
            badEvals = ts.evalsWithoutImprovement();
            resumedFrom = round;
            metrics.loadUpTo(round);
            progress.printf("resuming from %s (round %d, step %d, %,d tokens seen)%n", dir, round, ts.step(),
                    tokensSeen);
        } else {
            metrics.loadUpTo(-1);
            if (resume) {
                progress.println("no complete checkpoint under " + runDir + ": starting from round 0");
            }
        }

        boolean stoppedEarly = false;
        double lastTrain = Double.NaN;
        Double lastVal = null;
        while (round < cfg.rounds() && !stoppedEarly) {
            round++;
            long r0 = System.nanoTime();
            Broadcast<float[][]> bc = sc.broadcast(new float[][] {params, state});
            ParamSum sum = shards.mapPartitionsWithIndex(new RoundTask(factory, bc, round, cfg), true)
                    .treeAggregate(ParamSum.zero(), ParamSum::add, ParamSum::merge, cfg.treeDepth());
            if (sum.workers() != cfg.workers() || sum.workerSetHash() != ParamSum.expectedWorkerSetHash(cfg.workers())) {
                throw new IllegalStateException("round " + round + ": averaged " + sum.workers() + " worker results, "
                        + "expected each of " + cfg.workers() + " exactly once");
            }
            float[] start = params;
            params = outer.step(start, sum.averageParams());
            state = sum.averageState();
            bc.destroy();
            double roundSec = (System.nanoTime() - r0) / 1e9;
            tokensSeen += sum.tokens();
            lastTrain = sum.meanLoss();
            long step = (long) round * cfg.localSteps();

            Double val = null;
            Double evalSec = null;
            boolean lastRound = round == cfg.rounds();
            if (valTokens.length > cfg.blockSize()
                    && ((cfg.evalEvery() > 0 && round % cfg.evalEvery() == 0) || lastRound)) {
                long e0 = System.nanoTime();
                driverModel.setParams(params);
                val = validationLoss(driverModel);
                evalSec = (System.nanoTime() - e0) / 1e9;
                lastVal = val;
                if (bestVal == null || val < bestVal) {
                    bestVal = val;
                    badEvals = 0;
                } else {
                    badEvals++;
                    if (cfg.patience() > 0 && badEvals >= cfg.patience()) {
                        stoppedEarly = true;
                    }
                }
            }
            double compute = sum.maxComputeSeconds();
            double averaging = Math.max(0, roundSec - compute);
            double lr = new io.sparkgpt.model.LrSchedule(cfg.maxLr(), cfg.minLr(), cfg.warmupSteps(),
                    cfg.decaySteps()).at(step - 1);
            RoundMetrics m = new RoundMetrics(round, step, tokensSeen, lastTrain, val, lr, sum.tokens() / roundSec,
                    roundSec, compute, sum.maxSetupSeconds(), averaging, averaging / roundSec, evalSec,
                    sum.workers());
            metrics.append(m);
            progress.printf("round %d/%d step %d tokens %,d train %.4f%s lr %.2e %,.0f tok/s compute %.2fs "
                            + "averaging %.2fs (%.1f%%)%s%n", round, cfg.rounds(), step, tokensSeen, lastTrain,
                    val == null ? "" : String.format(" val %.4f", val), lr, m.tokensPerSecond(), compute, averaging,
                    100 * m.averagingShare(), stoppedEarly ? " - no improvement in " + badEvals
                            + " evaluations: stopping" : "");

            boolean due = cfg.checkpointEvery() > 0 && round % cfg.checkpointEvery() == 0;
            if (due || lastRound || stoppedEarly) {
                writeCheckpoint(ckpts, round, step, tokensSeen, params, state, outer, bestVal, badEvals);
            }
        }

        driverModel.setParams(params);
        driverModel.setOptimizerState(state);
        if (finalWriter != null) {
            String modelDir = Storage.child(runDir, "model");
            storage.delete(modelDir);
            finalWriter.write(driverModel, modelDir, new Progress((long) round * cfg.localSteps(), bestVal));
        }
        List<RoundMetrics> all = metrics.rounds();
        storage.writeAtomically(Storage.child(runDir, "loss.png"),
                LossChart.png(all, "sparkgpt pretraining: " + cfg.workers() + " workers x " + cfg.localSteps()
                        + " local steps"));
        double tps = all.stream().mapToDouble(RoundMetrics::tokensPerSecond).average().orElse(Double.NaN);
        double share = all.stream().mapToDouble(RoundMetrics::averagingShare).average().orElse(Double.NaN);
        Summary s = new Summary(round, (long) round * cfg.localSteps(), tokensSeen, lastTrain, lastVal, bestVal,
                stoppedEarly, resumedFrom, FloatArrays.sha256(params), (System.nanoTime() - t0) / 1e9, tps, share);
        storage.writeString(Storage.child(runDir, "summary.json"), Json.write(s));
        storage.markComplete(runDir);
        progress.printf("done: %d rounds, %,d tokens, train %.4f, val %s, params sha256 %s%n", round, tokensSeen,
                lastTrain, lastVal == null ? "-" : String.format("%.4f", lastVal), s.paramsSha256());
        return s;
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
        if (!ts.shardTokens().equals(shardTokens)) {
            diffs.add("token shards " + ts.shardTokens() + " vs " + shardTokens + " (different data)");
        }
        if (!diffs.isEmpty()) {
            throw new UsageException("checkpoint " + dir + " was written by a different run (" + String.join(", ", diffs)
                    + "): resume with the same options or use --overwrite");
        }
    }

    private void writeCheckpoint(RunCheckpoints ckpts, int round, long step, long tokensSeen, float[] params,
                                 float[] state, OuterOptimizer outer, Double bestVal, int badEvals) {
        String dir = ckpts.begin(round);
        storage.writeAtomically(Storage.child(dir, "params.bin"), FloatArrays.toBytes(params));
        storage.writeAtomically(Storage.child(dir, "optimizer.bin"), FloatArrays.toBytes(state));
        float[] vel = outer.velocity();
        if (vel != null) {
            storage.writeAtomically(Storage.child(dir, "outer-momentum.bin"), FloatArrays.toBytes(vel));
        }
        TrainerState ts = new TrainerState(round, step, tokensSeen, cfg.seed(), cfg.workers(), cfg.localSteps(),
                shardTokens, bestVal, badEvals, FloatArrays.sha256(params), cfg.outer().name().toLowerCase());
        storage.writeString(Storage.child(dir, "trainer.json"), Json.write(ts));
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("run", cfg);
        storage.writeString(Storage.child(dir, "run-config.json"), Json.write(run));
        ckpts.commit(round, cfg.keepCheckpoints());
    }

    /** Mean loss over the fixed validation windows, in batches of {@code batchSize}. */
    double validationLoss(LocalModel model) {
        int[][][] w = WindowSampler.fixedWindows(valTokens, cfg.blockSize(), cfg.evalWindows());
        int n = w[0].length;
        double sum = 0;
        int batches = 0;
        for (int i = 0; i < n; i += cfg.batchSize()) {
            int b = Math.min(cfg.batchSize(), n - i);
            int[][] x = java.util.Arrays.copyOfRange(w[0], i, i + b);
            int[][] y = java.util.Arrays.copyOfRange(w[1], i, i + b);
            sum += model.loss(x, y) * b;
            batches += b;
        }
        return sum / batches;
    }
}
