package io.sparkgpt.trainer;

import java.io.Serializable;

/**
 * The step the driver takes once the workers' parameters are averaged.
 *
 * <p>{@code none} is plain parameter averaging (the new parameters are the average). {@code nesterov} is DiLoCo's
 * outer optimiser: the averaged change {@code delta = start - average} is treated as a gradient and applied with
 * SGD + Nesterov momentum, the same rule as {@code torch.optim.SGD(nesterov=True)}:
 * {@code m = mu*m + delta; start -= lr * (delta + mu*m)}. With lr 1 and mu 0 it equals plain averaging.
 */
public final class OuterOptimizer implements Serializable {
    public enum Kind { NONE, NESTEROV }

    private final Kind kind;
    private final double lr;
    private final double momentum;
    private float[] velocity;

    public OuterOptimizer(Kind kind, double lr, double momentum) {
        if (kind == Kind.NESTEROV && (lr <= 0 || momentum < 0 || momentum >= 1)) {
            throw new IllegalArgumentException("outer optimizer needs lr > 0 and 0 <= momentum < 1, got lr " + lr
                    + " momentum " + momentum);
        }
        this.kind = kind;
        this.lr = lr;
        this.momentum = momentum;
    }

    public Kind kind() {
        return kind;
    }

    /** The momentum buffer (null until the first step or with {@code none}); part of a checkpoint. */
    public float[] velocity() {
        return velocity == null ? null : velocity.clone();
    }

    public void setVelocity(float[] v) {
        this.velocity = v == null ? null : v.clone();
    }

    /**
     * Returns the new global parameters from the round's start parameters and the workers' average. Computed in
     * double per element and rounded once, so the result depends only on the two inputs and the buffer.
     */
    public float[] step(float[] start, float[] average) {
        if (start.length != average.length) {
            throw new IllegalArgumentException("parameter lengths differ: " + start.length + " vs " + average.length);
        }
        if (kind == Kind.NONE) {
            return average.clone();
        }
        if (velocity == null) {
            velocity = new float[start.length];
        } else if (velocity.length != start.length) {
            throw new IllegalStateException("momentum buffer has " + velocity.length + " values, parameters "
                    + start.length);
        }
        float[] out = new float[start.length];
        for (int i = 0; i < start.length; i++) {
            double delta = (double) start[i] - average[i];
            double m = momentum * velocity[i] + delta;
            velocity[i] = (float) m;
            out[i] = (float) (start[i] - lr * (delta + momentum * m));
        }
        return out;
    }
}
