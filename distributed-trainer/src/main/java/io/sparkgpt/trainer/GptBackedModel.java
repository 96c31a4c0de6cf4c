package io.sparkgpt.trainer;

import io.sparkgpt.model.GPT;
import io.sparkgpt.model.TrainConfig;

/**
 * What the {@link LocalModel}s built on the model module's {@link GPT} ({@link GptModel}, and the alignment jobs'
 * model with its optional head) do alike: a training step and a loss by the GPT with the run's {@link TrainConfig},
 * dropout reseeded through the GPT, its buffers freed on close. Parameters and optimizer state are each model's own.
 */
public abstract class GptBackedModel implements LocalModel {
    protected final GPT gpt;
    protected final TrainConfig train;

    protected GptBackedModel(GPT gpt, TrainConfig train) {
        this.gpt = gpt;
        this.train = train;
    }

    public GPT gpt() {
        return gpt;
    }

    public TrainConfig train() {
        return train;
    }

    @Override
    public double trainStep(int[][] x, int[][] y, double lr) {
        return gpt.trainStep(x, y, lr, train);
    }

    @Override
    public double loss(int[][] x, int[][] y) {
        return gpt.loss(x, y);
    }

    @Override
    public void reseed(long seed) {
        gpt.setRngState(seed);
    }

    @Override
    public void close() {
        gpt.close();
    }
}
