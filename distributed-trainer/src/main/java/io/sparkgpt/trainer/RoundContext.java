package io.sparkgpt.trainer;

/** Where a worker stands in the run when its {@link LocalTrainer} is called. */
public record RoundContext(int worker, int round, RunConfig cfg) {
    /** The seed of every random choice the worker makes this round: a function of (run seed, round, worker). */
    public long dataSeed() {
        return Seeds.worker(cfg.seed(), round, worker);
    }

    /** The global index of the round's first optimiser step (0-based). */
    public long firstStep() {
        return (long) (round - 1) * cfg.localSteps();
    }

    /** The learning rate of local step {@code i} (0-based) of this round, on the run's global schedule. */
    public double lr(int i) {
        return cfg.schedule().at(firstStep() + i);
    }

    /** An IllegalStateException naming the worker, round and step when a loss is not finite. */
    public void checkFinite(double loss, int i) {
        if (!Double.isFinite(loss)) {
            throw new IllegalStateException("worker " + worker + " round " + round + " step " + (firstStep() + i)
                    + ": loss is " + loss + " (lower --lr or raise --grad-clip's strictness)");
        }
    }
}
