package io.sparkgpt.model.dl4j;

import io.sparkgpt.model.LrSchedule;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * The fast GPT's {@link LrSchedule} (linear warmup, cosine decay to a floor) as an ND4J {@link ISchedule}, so a DL4J
 * updater follows the same learning rate at the same step. DL4J's iteration counter is 0-based like GPT's step.
 * Plain fields and a no-argument constructor: the graph's JSON configuration (ModelSerializer) carries it.
 */
public class WarmupCosineSchedule implements ISchedule {
    private double maxLr;
    private double minLr;
    private int warmupSteps;
    private int decaySteps;

    protected WarmupCosineSchedule() {
    }

    public WarmupCosineSchedule(LrSchedule s) {
        this.maxLr = s.maxLr();
        this.minLr = s.minLr();
        this.warmupSteps = s.warmupSteps();
        this.decaySteps = s.decaySteps();
    }

    public LrSchedule schedule() {
        return new LrSchedule(maxLr, minLr, warmupSteps, decaySteps);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return schedule().at(iteration);
    }

    @Override
    public ISchedule clone() {
        return new WarmupCosineSchedule(schedule());
    }

    public double getMaxLr() {
        return maxLr;
    }

    public double getMinLr() {
        return minLr;
    }

    public int getWarmupSteps() {
        return warmupSteps;
    }

    public int getDecaySteps() {
        return decaySteps;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WarmupCosineSchedule w && w.schedule().equals(schedule());
    }

    @Override
    public int hashCode() {
        return schedule().hashCode();
    }
}
