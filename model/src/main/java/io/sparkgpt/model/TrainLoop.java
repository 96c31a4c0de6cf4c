package io.sparkgpt.model;

import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The single-machine training loop, nanoGPT's train.py in plain order: for each step take the scheduled learning
 * rate, draw a batch, {@link GPT#trainStep} (accumulation + clipping + AdamW); every {@code evalInterval} steps
 * estimate train and validation loss, keep the best model, stop early after {@code patience} evaluations without
 * improvement; write checkpoints (atomically, local or s3a://) and metrics ({@code metrics.jsonl}); print a progress
 * line (step, loss, lr, tokens/s, ETA). {@link #resume} continues a run bit for bit.
 *
 * <p>Files in {@code outDir}: {@code checkpoint.bin} (latest), {@code best.bin} (best validation loss),
 * {@code metrics.jsonl}.
 */
public final class TrainLoop {
    public static final String CHECKPOINT = "checkpoint.bin";
    public static final String BEST = "best.bin";
    public static final String METRICS = MetricsFile.NAME;

    /** Outcome of {@link #run}. */
    public record Result(long steps, double lastTrainLoss, double valLoss, double bestValLoss, boolean stoppedEarly,
                         double seconds, double tokensPerSecond) {}

    private final GPT gpt;
    private final TrainConfig tc;
    private final TokenWindows train;
    private final int[] trainTokens;
    private final int[] valTokens;
    private final Storage storage;
    private final String outDir;
    private final PrintStream log;
    private final Map<String, String> meta;
    private int logInterval = 10;

    private long step;
    private double best = Double.MAX_VALUE;
    private int bad;
    private final List<String> metrics = new ArrayList<>();

    /**
     * @param gpt         the model (fresh or restored by {@link #resume})
     * @param tc          optimisation settings
     * @param trainTokens training stream
     * @param valTokens   validation stream, or null (no evaluation, no early stopping)
     * @param storage     file access for checkpoints and metrics
     * @param outDir      where to write them, or null for none
     * @param log         progress lines (null = silent)
     * @param meta        strings stored in every checkpoint (e.g. the character vocabulary)
     */
    public TrainLoop(GPT gpt, TrainConfig tc, int[] trainTokens, int[] valTokens, Storage storage, String outDir,
                     PrintStream log, Map<String, String> meta) {
        this.gpt = gpt;
        this.tc = tc;
        this.trainTokens = trainTokens;
        this.valTokens = valTokens;
        this.train = new TokenWindows(trainTokens, gpt.config().blockSize(), Rng.mix(tc.seed(), 1));
        this.storage = storage;
        this.outDir = outDir;
        this.log = log;
        this.meta = meta == null ? Map.of() : Map.copyOf(meta);
    }

    public TrainLoop logInterval(int n) {
        this.logInterval = Math.max(1, n);
        return this;
    }

    public long step() {
        return step;
    }

    /** Restores model, optimizer, RNG, data position, step, early-stopping state and metrics from {@code c}. */
    public void resume(Checkpoint c, String name) {
        c.restoreInto(gpt, name);
        if (c.train() != null && !c.train().equals(tc)) {
            throw new IllegalArgumentException(name + " was written with another TrainConfig: " + c.train().toJson()
                    + " vs " + tc.toJson());
        }
        if (c.data().size() != 1) {
            throw new IllegalArgumentException(name + " holds " + c.data().size()
                    + " data positions, the single-machine loop needs 1");
        }
        train.restore(c.data().get(0));
        step = c.step();
        best = c.bestValLoss();
        bad = c.evalsWithoutImprovement();
        metrics.clear();
        if (outDir != null) {
            metrics.addAll(MetricsFile.linesUpTo(storage, outDir, step));
        }
    }

    /** Trains until {@code min(maxSteps, stopAt)} steps are done or early stopping triggers. */
    public Result run(long stopAt) {
        long end = Math.min(tc.maxSteps(), stopAt);
        int T = gpt.config().blockSize();
        long tokensPerStep = (long) tc.batchSize() * T;
        long t0 = System.nanoTime(), tWin = t0;
        long startStep = step, winStart = step;
        double loss = Double.NaN, valLoss = Double.NaN;
        boolean stopped = false;
        boolean evaluatedAtEnd = false;
        LrSchedule sched = tc.schedule();
        while (step < end) {
            double lr = sched.at(step);
            TokenWindows.Batch b = train.next(tc.batchSize());
            loss = gpt.trainStep(b.x(), b.y(), lr, tc);
            step++;
            evaluatedAtEnd = false;
            if (step % logInterval == 0 || step == end) {
                long now = System.nanoTime();
                double secs = (now - tWin) / 1e9;
                double tps = (step - winStart) * tokensPerStep / Math.max(secs, 1e-9);
                double perStep = (now - t0) / 1e9 / (step - startStep);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("step", step);
                m.put("loss", loss);
                m.put("lr", lr);
                m.put("grad_norm", gpt.lastGradNorm());
                m.put("tokens_per_s", tps);
                m.put("elapsed_s", (now - t0) / 1e9);
                metrics.add(Json.writeLine(m));
                if (log != null) {
                    log.printf("step %d/%d | loss %.4f | lr %.3e | %.0f tok/s | ETA %s%n", step, tc.maxSteps(), loss,
                            lr, tps, eta(perStep * (end - step)));
                }
                tWin = now;
                winStart = step;
            }
            boolean evalNow = valTokens != null && tc.evaluatesAt(step);
            if (evalNow) {
                valLoss = evaluate();
                evaluatedAtEnd = true;
                stopped = tc.patienceRunOut(bad);
            }
            boolean ckpt = tc.checkpointsAt(step, evalNow);
            if (ckpt || stopped || step == end) {
                // the final evaluation belongs to the end of training, not to a --stop-after pause: a paused and
                // resumed run must evaluate exactly when the uninterrupted one does
                if (step == tc.maxSteps() && valTokens != null && !evaluatedAtEnd) {
                    valLoss = evaluate();
                    evaluatedAtEnd = true;
                }
                saveCheckpoint();
            }
            if (stopped) {
                if (log != null) {
                    log.printf("early stop at step %d: %d evaluations without improvement (patience %d)%n", step, bad,
                            tc.patience());
                }
                break;
            }
        }
        if (valTokens != null && !evaluatedAtEnd && step > startStep && step == tc.maxSteps()) {
            valLoss = evaluate();
            saveCheckpoint();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        return new Result(step, loss, valLoss, best, stopped, secs, (step - startStep) * tokensPerStep / secs);
    }

    private double evaluate() {
        int T = gpt.config().blockSize();
        int rows = tc.microBatchSize();
        double val = estimateLoss(gpt, valTokens, T, tc.evalSteps(), rows, Rng.mix(tc.seed(), 2));
        double tr = estimateLoss(gpt, trainTokens, T, tc.evalSteps(), rows, Rng.mix(tc.seed(), 3));
        boolean improved = val < best;
        if (improved) {
            best = val;
            bad = 0;
            if (outDir != null) {
                checkpoint().save(storage, Storage.child(outDir, BEST));
            }
        } else {
            bad++;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step);
        m.put("train_loss", tr);
        m.put("val_loss", val);
        m.put("best_val_loss", best);
        metrics.add(Json.writeLine(m));
        if (log != null) {
            log.printf("step %d: train loss %.4f, val loss %.4f%s%n", step, tr, val, improved ? " (best)" : "");
        }
        return val;
    }

    /**
     * Mean loss over {@code batches} batches of {@code rows} random windows drawn with a fixed {@code seed} (the
     * same windows at every evaluation, nanoGPT's {@code estimate_loss}); no state of {@code gpt} changes.
     */
    public static double estimateLoss(GPT gpt, int[] tokens, int T, int batches, int rows, long seed) {
        TokenWindows w = new TokenWindows(tokens, T, seed);
        double sum = 0;
        for (int i = 0; i < batches; i++) {
            TokenWindows.Batch b = w.next(rows);
            sum += gpt.loss(b.x(), b.y());
        }
        return sum / batches;
    }

    private Checkpoint checkpoint() {
        return Checkpoint.of(gpt, tc, step, List.of(train.state()), best, bad, meta);
    }

    private void saveCheckpoint() {
        if (outDir == null) {
            return;
        }
        checkpoint().save(storage, Storage.child(outDir, CHECKPOINT));
        MetricsFile.write(storage, outDir, metrics);
    }

    private static String eta(double secs) {
        long s = Math.round(secs);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, (s % 3600) / 60)
                : String.format("%dm%02ds", s / 60, s % 60);
    }
}
