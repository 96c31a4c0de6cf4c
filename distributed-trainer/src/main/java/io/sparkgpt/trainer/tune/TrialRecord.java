package io.sparkgpt.trainer.tune;

import java.io.Serializable;
import java.util.Map;

/**
 * A finished trial, as {@code trials/<id>/trial.json} (written atomically last: its presence marks the trial complete)
 * and as one row of trials.parquet. {@code metric} is the best value of {@code metricName} (the job's early-stopping
 * figure) over the run's evaluations, NaN when the trial failed; {@code steps} counts optimiser steps in all,
 * {@code seconds} the wall time of all its runs; {@code figures} the last evaluation's, {@code foldFigures} the train
 * and held-out figures of a cross-validation fold.
 */
public record TrialRecord(String id, int rung, long budget, Map<String, String> params, String status,
                          String metricName, double metric, long steps, double seconds, Map<String, Double> figures,
                          Map<String, Double> foldFigures) implements Serializable {
    public boolean ok() {
        return "ok".equals(status);
    }
}
