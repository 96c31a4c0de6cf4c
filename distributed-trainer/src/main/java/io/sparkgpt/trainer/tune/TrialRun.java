package io.sparkgpt.trainer.tune;

import io.sparkgpt.common.io.Storage;
import io.sparkgpt.trainer.DistributedTrainer;
import java.io.PrintStream;
import java.io.Serializable;
import java.util.Map;

/**
 * One trial's training, shipped to an executor and run there in one task: the job's own local trainer, validation,
 * checkpoints and metrics ({@link DistributedTrainer#inProcess}) under the trial's folder, continued from its last
 * checkpoint when there is one.
 */
@FunctionalInterface
public interface TrialRun extends Serializable {
    Outcome run(Storage storage, String dir, PrintStream log);

    /** The run's summary, and the validation's figures measured on the training data (empty when not measured). */
    record Outcome(DistributedTrainer.Summary summary, Map<String, Double> trainFigures) {
    }
}
