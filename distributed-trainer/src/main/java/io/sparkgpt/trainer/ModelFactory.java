package io.sparkgpt.trainer;

import java.io.Serializable;

/** Builds a fresh copy of the model on a worker or the driver (shipped inside the round's closure). */
@FunctionalInterface
public interface ModelFactory extends Serializable {
    LocalModel create();
}
