package io.sparkgpt.trainer.dl4jspark;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Puts the round's global iteration count into each worker's graph before its first step of the round.
 *
 * <p>Why: dl4j-spark 1.0.0-M2's {@code ParameterAveragingTrainingWorker} builds the worker's graph from
 * {@code tuple.getGraphConfiguration().clone()}, and DL4J M2.1's {@code ComputationGraphConfiguration.clone()} copies
 * neither {@code iterationCount} nor {@code epochCount} ({@code MultiLayerConfiguration.clone()} does: only graphs are
 * hit). So although the master advances its own count by {@code averagingFrequency} after each round, every worker
 * starts every round at iteration 0: the learning-rate schedule ({@code WarmupCosineSchedule}, fed by that count)
 * replays its first {@code --local-steps} values each round, warmup included, and never decays, and Adam's bias
 * correction restarts at t = 1 on top of the averaged moments. This hook gives the count back, so a round of
 * {@code --local-steps} steps runs at iterations {@code start .. start + local-steps - 1} as in a single process.
 *
 * <p>Stateless apart from {@code start}: a graph already at or past {@code start} (its later steps, or a dl4j-spark
 * that carries the count) is left alone.
 */
final class IterationCountHook implements TrainingHook {
    private static final long serialVersionUID = 1L;
    private final int start;

    IterationCountHook(int start) {
        this.start = start;
    }

    int start() {
        return start;
    }

    private void restore(Model model) {
        if (model instanceof ComputationGraph g) {
            ComputationGraphConfiguration c = g.getConfiguration();
            if (c.getIterationCount() < start) {
                c.setIterationCount(start + c.getIterationCount());
            }
        }
    }

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        restore(model);
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
        restore(model);
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
    }
}
