package io.sparkgpt.trainer;

/**
 * What a {@link LocalTrainer} reports about its round: the sum of its steps' losses, the steps taken, and the
 * tokens it trained on (for tokens/s and the x axis of the loss chart; for masked training, all tokens fed).
 */
public record LocalWork(double lossSum, long steps, long tokens) {
}
