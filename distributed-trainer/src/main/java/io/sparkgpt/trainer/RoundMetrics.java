package io.sparkgpt.trainer;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One line of {@code metrics.jsonl}: what a round did. {@code val_loss} is present only in rounds that evaluated.
 * Times: {@code compute_s} is the slowest worker's time inside its training steps, {@code averaging_s} is the rest
 * of the round as the driver saw it (broadcast, scheduling, model set-up on the workers, shipping the vectors
 * back, the tree aggregation and the outer step). {@code metrics} holds the validation's other figures (accuracy,
 * exact match, ...) in rounds that evaluated, when the job's {@link Validation} has any.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RoundMetrics(
        @JsonProperty("round") int round,
        @JsonProperty("step") long step,
        @JsonProperty("tokens_seen") long tokensSeen,
        @JsonProperty("train_loss") double trainLoss,
        @JsonProperty("val_loss") Double valLoss,
        @JsonProperty("lr") double lr,
        @JsonProperty("tokens_per_s") double tokensPerSecond,
        @JsonProperty("round_s") double roundSeconds,
        @JsonProperty("compute_s") double computeSeconds,
        @JsonProperty("worker_setup_s") double workerSetupSeconds,
        @JsonProperty("averaging_s") double averagingSeconds,
        @JsonProperty("averaging_share") double averagingShare,
        @JsonProperty("eval_s") Double evalSeconds,
        @JsonProperty("workers") int workers,
        @JsonProperty("metrics") java.util.Map<String, Double> metrics) {
}
