package io.sparkgpt.trainer;

import java.io.Serializable;

/**
 * The value tree-aggregated over the workers of one round: element-wise sums of their parameter and optimiser
 * state vectors (in double) plus the round's counters. {@link #add} and {@link #merge} are the seqOp and combOp of
 * {@code treeAggregate}, so no more than a few partial sums are ever in memory, never every worker's copy.
 *
 * <p>Why double: each worker's vector is float; their sum in double is exact while the copies are of similar
 * magnitude (they all started from the same broadcast a few steps ago), which makes the average independent of
 * the order in which Spark merges task results. With two workers the merge is {@code a + b == b + a}: bit for bit
 * the same whatever finishes first.
 */
public final class ParamSum implements Serializable {
    private double[] params;
    private double[] state;
    private int workers;
    private double lossSum;
    private long steps;
    private long tokens;
    private double maxComputeSeconds;
    private double maxSetupSeconds;
    private long positionsHash;

    public static ParamSum zero() {
        return new ParamSum();
    }

    public ParamSum add(WorkerResult r) {
        params = addInto(params, r.params());
        state = addInto(state, r.state());
        workers++;
        lossSum += r.lossSum();
        steps += r.steps();
        tokens += r.tokens();
        maxComputeSeconds = Math.max(maxComputeSeconds, r.computeSeconds());
        maxSetupSeconds = Math.max(maxSetupSeconds, r.setupSeconds());
        positionsHash += Seeds.mix(r.worker() + 1L);
        return this;
    }

    public ParamSum merge(ParamSum o) {
        if (o.workers == 0) {
            return this;
        }
        if (workers == 0) {
            return o;
        }
        params = addInto(params, o.params);
        state = addInto(state, o.state);
        workers += o.workers;
        lossSum += o.lossSum;
        steps += o.steps;
        tokens += o.tokens;
        maxComputeSeconds = Math.max(maxComputeSeconds, o.maxComputeSeconds);
        maxSetupSeconds = Math.max(maxSetupSeconds, o.maxSetupSeconds);
        positionsHash += o.positionsHash;
        return this;
    }

    public int workers() {
        return workers;
    }

    public float[] averageParams() {
        return average(params);
    }

    public float[] averageState() {
        return average(state);
    }

    /** Mean training loss over every local step of every worker in the round. */
    public double meanLoss() {
        return steps == 0 ? Double.NaN : lossSum / steps;
    }

    public long steps() {
        return steps;
    }

    public long tokens() {
        return tokens;
    }

    public double maxComputeSeconds() {
        return maxComputeSeconds;
    }

    public double maxSetupSeconds() {
        return maxSetupSeconds;
    }

    /** Order-independent fingerprint of which workers were summed: lets the driver check each came once. */
    public long workerSetHash() {
        return positionsHash;
    }

    public static long expectedWorkerSetHash(int workers) {
        long h = 0;
        for (int k = 0; k < workers; k++) {
            h += Seeds.mix(k + 1L);
        }
        return h;
    }

    private float[] average(double[] sum) {
        if (sum == null) {
            return null;
        }
        float[] out = new float[sum.length];
        for (int i = 0; i < sum.length; i++) {
            out[i] = (float) (sum[i] / workers);
        }
        return out;
    }

    private static double[] addInto(double[] acc, float[] v) {
        if (v == null) {
            return acc;
        }
        if (acc == null) {
            acc = new double[v.length];
        } else if (acc.length != v.length) {
            throw new IllegalStateException("vector lengths differ: " + acc.length + " vs " + v.length);
        }
        for (int i = 0; i < v.length; i++) {
            acc[i] += v[i];
        }
        return acc;
    }

    private static double[] addInto(double[] acc, double[] v) {
        if (v == null) {
            return acc;
        }
        if (acc == null) {
            return v.clone();
        }
        if (acc.length != v.length) {
            throw new IllegalStateException("vector lengths differ: " + acc.length + " vs " + v.length);
        }
        for (int i = 0; i < v.length; i++) {
            acc[i] += v[i];
        }
        return acc;
    }
}
