package io.sparkgpt.trainer;

import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.TrainConfig;

/**
 * The model module's {@link GPT} as a {@link LocalModel}. The flattened optimiser state is the GPT's AdamW moments
 * {@code [m, v]} followed by one float holding AdamW's step counter t (bias correction), so that averaging the
 * state of workers that all took the same number of steps keeps t exact (t < 2^24).
 */
public final class GptModel extends GptBackedModel {
    public GptModel(GPT gpt, TrainConfig train) {
        super(gpt, train);
    }

    /** Serializable recipe (configs as JSON: the records are not Serializable) shipped to the workers. */
    public static ModelFactory factory(GPTConfig model, TrainConfig train, long initSeed) {
        return new Factory(model.toJson(), train.toJson(), initSeed);
    }

    /** The factory as data, so that equal recipes have equal {@link #cacheKey()}s. */
    private record Factory(String model, String train, long initSeed) implements ModelFactory {
        @Override
        public LocalModel create() {
            return new GptModel(GPT.create(GPTConfig.fromJson(model), initSeed), TrainConfig.fromJson(train));
        }

        @Override
        public String cacheKey() {
            return "gpt\n" + model + "\n" + train + "\n" + initSeed;
        }
    }

    @Override
    public int numParams() {
        return Math.toIntExact(gpt.numParams());
    }

    @Override
    public float[] params() {
        return gpt.params();
    }

    @Override
    public void setParams(float[] params) {
        gpt.setParams(params);
    }

    @Override
    public float[] optimizerState() {
        float[] mv = gpt.optimizerState();
        float[] out = java.util.Arrays.copyOf(mv, mv.length + 1);
        out[mv.length] = gpt.optimizerSteps();
        return out;
    }

    @Override
    public void setOptimizerState(float[] state) {
        int n = state.length - 1;
        if (n != 2L * gpt.numParams()) {
            throw new IllegalArgumentException("optimizer state has " + state.length + " floats, expected 2 x "
                    + gpt.numParams() + " + 1");
        }
        gpt.setOptimizerState(java.util.Arrays.copyOf(state, n));
        gpt.setOptimizerSteps(Math.round(state[n]));
    }

    /**
     * The GPT's worker threads (each a share of every micro-batch); see {@link GPT#setThreads}. OpenBLAS is pinned
     * to one thread as well: its setting is process-wide, the products' rounding depends on it, and a GPT with
     * several workers elsewhere in the JVM (the driver's evaluation in local mode) sets it to 1, so a task must not
     * depend on what ran before it (a resumed run must give the same bits).
     */
    @Override
    public void useThreads(int threads) {
        gpt.setThreads(Math.max(1, threads));
        GPT.setBlasThreads(1);
    }
}
