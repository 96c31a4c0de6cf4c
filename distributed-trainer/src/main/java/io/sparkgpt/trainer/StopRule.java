package io.sparkgpt.trainer;

import io.sparkgpt.common.cli.UsageException;

/**
 * Which validation figure early stopping and the best-so-far follow, and in which direction: stop after
 * {@code patience} evaluations (0 = never) without a strict improvement of {@code metric}.
 */
public record StopRule(String metric, boolean higherIsBetter, int patience) {
    /** Pretraining's rule: the validation loss, lower is better. */
    public static StopRule loss(int patience) {
        return new StopRule(Validation.LOSS, false, patience);
    }

    /**
     * From an option value: a metric name, optionally prefixed with {@code max:} or {@code min:}; without a prefix
     * names ending in {@code loss}, {@code perplexity} or {@code bpb} are minimised and the others (accuracy, exact
     * match, F1) maximised.
     */
    public static StopRule parse(String spec, int patience) {
        String s = spec.strip();
        if (s.startsWith("max:")) {
            return new StopRule(s.substring(4), true, patience);
        }
        if (s.startsWith("min:")) {
            return new StopRule(s.substring(4), false, patience);
        }
        if (s.isEmpty()) {
            throw new UsageException("--early-stop-metric is empty");
        }
        boolean lower = s.endsWith("loss") || s.endsWith("perplexity") || s.endsWith("bpb");
        return new StopRule(s, !lower, patience);
    }

    /**
     * The rule as {@link #parse} reads it back: the metric's name, prefixed with {@code max:} or {@code min:} only
     * where the direction is not the one its name implies (so summary.json names the usual figures plainly, and a
     * tuner comparing trials still ranks {@code min:val_kl} as a minimum).
     */
    public String spec() {
        boolean implied = parse(metric, patience).higherIsBetter();
        return implied == higherIsBetter ? metric : (higherIsBetter ? "max:" : "min:") + metric;
    }

    public boolean better(double value, Double best) {
        return best == null || (higherIsBetter ? value > best : value < best);
    }
}
