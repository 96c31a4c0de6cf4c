package io.sparkgpt.trainer;

import java.io.Serializable;

/** Builds a fresh copy of the model on a worker or the driver (shipped inside the round's closure). */
@FunctionalInterface
public interface ModelFactory extends Serializable {
    LocalModel create();

    /**
     * Identifies what {@link #create()} builds (architecture and training settings), so that an executor may keep a
     * copy across rounds ({@link ExecutorModels}) and hand it only to tasks of an identical factory; {@code null}
     * (the default) means "build a fresh copy for every task".
     */
    default String cacheKey() {
        return null;
    }
}
