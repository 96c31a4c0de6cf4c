package io.sparkgpt.model.align;

import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.LrSchedule;
import io.sparkgpt.model.MetricsFile;
import io.sparkgpt.model.TrainConfig;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training loop of the alignment jobs, in {@link io.sparkgpt.model.TrainLoop}'s plain order and file layout:
 * for each step the scheduled learning rate and {@link AlignTask#step}; every {@code evalInterval} steps
 * {@link AlignTask#evaluate}, the best model by the early-stopping metric kept in {@code best.bin}, early stop after
 * {@code patience} evaluations without improvement; {@code checkpoint.bin} (latest, atomic) and
 * {@code metrics.jsonl}. {@link #resume} continues a run bit for bit.
 */
public final class AlignLoop {
    public static final String CHECKPOINT = "checkpoint.bin";
    public static final String BEST = "best.bin";
    public static final String METRICS = MetricsFile.NAME;
    static final String KIND_KEY = "align.kind";

    /** Outcome of {@link #run}: the last evaluation's metrics (empty if none ran). */
    public record Result(long steps, Map<String, Object> lastEval, double best, boolean stoppedEarly) {}

    private final AlignTask task;
    private final TrainConfig tc;
    private final Storage storage;
    private final String outDir;
    private final PrintStream log;
    private final String metric;
    private final boolean higherIsBetter;
    private final Map<String, String> meta;
    private final List<String> metrics = new ArrayList<>();
    private long step;
    private double best = Double.MAX_VALUE; // of the metric as a loss (negated when higher is better)
    private int bad;
    private Map<String, Object> lastEval = Map.of();

    /**
     * @param metric         early-stopping metric, a key of {@link AlignTask#evaluate}'s map
     * @param higherIsBetter whether larger values of it are better (accuracy, reward) or smaller (loss)
     * @param meta           strings stored in every checkpoint (init checkpoint, data paths, ...)
     */
    public AlignLoop(AlignTask task, TrainConfig tc, Storage storage, String outDir, PrintStream log, String metric,
                     boolean higherIsBetter, Map<String, String> meta) {
        this.task = task;
        this.tc = tc;
        this.storage = storage;
        this.outDir = outDir;
        this.log = log;
        this.metric = metric;
        this.higherIsBetter = higherIsBetter;
        this.meta = meta == null ? Map.of() : Map.copyOf(meta);
    }

    public long step() {
        return step;
    }

    /** The metrics lines written so far (what {@code metrics.jsonl} holds). */
    public List<String> metricsLines() {
        return List.copyOf(metrics);
    }

    /** Restores the GPT, the task's state, the step and the early-stopping state from {@code c}. */
    public void resume(Checkpoint c, String name) {
        String kind = c.meta().get(KIND_KEY);
        if (!task.kind().equals(kind)) {
            throw new IllegalArgumentException(name + " is a checkpoint of '" + kind + "', not of '" + task.kind()
                    + "'");
        }
        if (c.train() != null && !c.train().equals(tc)) {
            throw new IllegalArgumentException(name + " was written with another TrainConfig: " + c.train().toJson()
                    + " vs " + tc.toJson());
        }
        c.restoreInto(task.model(), name);
        task.restore(c.meta(), name);
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
        LrSchedule sched = tc.schedule();
        boolean stopped = false;
        boolean evaluatedAtEnd = false;
        long t0 = System.nanoTime();
        if (step == 0 && end > 0 && tc.evalInterval() > 0) {
            evaluate(); // the starting model's figures: what training must beat
        }
        while (step < end) {
            double lr = sched.at(step);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", step + 1);
            m.put("lr", lr);
            m.putAll(task.step(step, lr));
            step++;
            evaluatedAtEnd = false;
            m.put("elapsed_s", (System.nanoTime() - t0) / 1e9);
            metrics.add(Json.writeLine(m));
            if (log != null) {
                log.println(line("step " + step + "/" + tc.maxSteps(), m));
            }
            boolean evalNow = tc.evaluatesAt(step);
            if (evalNow) {
                evaluate();
                evaluatedAtEnd = true;
                stopped = tc.patienceRunOut(bad);
            }
            boolean ckpt = tc.checkpointsAt(step, evalNow);
            if (ckpt || stopped || step == end) {
                // the final evaluation belongs to the end of training, not to a pause: a paused and resumed run
                // evaluates exactly when the uninterrupted one does
                if (step == tc.maxSteps() && !evaluatedAtEnd) {
                    evaluate();
                    evaluatedAtEnd = true;
                }
                save();
            }
            if (stopped) {
                if (log != null) {
                    log.printf("early stop at step %d: %d evaluations without improvement of %s (patience %d)%n",
                            step, bad, metric, tc.patience());
                }
                break;
            }
        }
        double bestValue = best == Double.MAX_VALUE ? Double.NaN : (higherIsBetter ? -best : best);
        return new Result(step, lastEval, bestValue, stopped);
    }

    private void evaluate() {
        Map<String, Object> e = task.evaluate();
        Object v = e.get(metric);
        if (!(v instanceof Number num)) {
            throw new IllegalArgumentException("early-stop metric '" + metric + "' is not one of " + e.keySet());
        }
        double asLoss = higherIsBetter ? -num.doubleValue() : num.doubleValue();
        boolean improved = asLoss < best;
        if (improved) {
            best = asLoss;
            bad = 0;
        } else {
            bad++;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step);
        m.put("eval", true);
        m.putAll(e);
        m.put("best_" + metric, higherIsBetter ? -best : best);
        metrics.add(Json.writeLine(m));
        lastEval = Map.copyOf(e);
        if (log != null) {
            log.println(line("eval at step " + step, e) + (improved ? " (best)" : ""));
        }
        if (improved && outDir != null) {
            checkpoint().save(storage, Storage.child(outDir, BEST));
        }
    }

    /** The run's state now. */
    public Checkpoint checkpoint() {
        Map<String, String> all = new HashMap<>(meta);
        all.putAll(task.state());
        all.put(KIND_KEY, task.kind());
        return Checkpoint.of(task.model(), tc, step, List.of(), best, bad, all);
    }

    private void save() {
        if (outDir == null) {
            return;
        }
        checkpoint().save(storage, Storage.child(outDir, CHECKPOINT));
        MetricsFile.write(storage, outDir, metrics);
    }

    private static String line(String head, Map<String, Object> m) {
        StringBuilder b = new StringBuilder(head);
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (e.getKey().equals("step")) {
                continue;
            }
            b.append(" | ").append(e.getKey()).append(' ');
            b.append(e.getValue() instanceof Double d ? String.format("%.4g", d) : String.valueOf(e.getValue()));
        }
        return b.toString();
    }
}
