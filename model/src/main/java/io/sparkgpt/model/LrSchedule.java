package io.sparkgpt.model;

/**
 * nanoGPT's learning-rate schedule, a pure function of the optimizer step (0-based): linear warmup
 * {@code lr * (step + 1) / (warmup + 1)}, then cosine decay to {@code minLr} at {@code decaySteps}, then
 * {@code minLr}.
 */
public record LrSchedule(double maxLr, double minLr, int warmupSteps, int decaySteps) implements java.io.Serializable {

    public double at(long step) {
        if (step < warmupSteps) {
            return maxLr * (step + 1) / (warmupSteps + 1);
        }
        if (step > decaySteps) {
            return minLr;
        }
        double span = Math.max(1, decaySteps - warmupSteps);
        double ratio = (step - warmupSteps) / span;
        double coeff = 0.5 * (1.0 + Math.cos(Math.PI * ratio));
        return minLr + coeff * (maxLr - minLr);
    }
}
