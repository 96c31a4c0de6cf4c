package io.sparkgpt.trainer;

import java.io.Serializable;

/** What one worker sends back at the end of a round (before it is folded into a {@link ParamSum}). */
public record WorkerResult(int worker, float[] params, float[] state, double lossSum, long steps, long tokens,
                           double computeSeconds, double setupSeconds) implements Serializable {
}
