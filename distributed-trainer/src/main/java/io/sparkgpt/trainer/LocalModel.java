package io.sparkgpt.trainer;

/**
 * What the trainer needs from one copy of the model: flat parameters and optimiser state in and out, a training
 * step and a loss. {@link GptModel} adapts the model module's GPT to it; the round protocol, the averaging and the
 * tests of them depend only on this.
 */
public interface LocalModel extends AutoCloseable {
    int numParams();

    float[] params();

    void setParams(float[] params);

    /** Everything the inner optimiser carries between steps (AdamW moments and step count), flattened. */
    float[] optimizerState();

    void setOptimizerState(float[] state);

    /** One optimiser step (with the model's gradient accumulation and clipping); returns the mean loss. */
    double trainStep(int[][] x, int[][] y, double lr);

    /** Mean cross-entropy (nats/token) on a batch, without changing anything. */
    double loss(int[][] x, int[][] y);

    /** Seeds the model's own randomness (dropout) for a worker's round; a no-op for a model without any. */
    void reseed(long seed);

    /** Threads one training step may use (a Spark task's cores); a no-op for a single-threaded model. */
    default void useThreads(int threads) {
    }

    /** Frees what the copy holds off-heap. */
    @Override
    void close();
}
