package io.sparkgpt.trainer;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The trainer's part of a checkpoint ({@code trainer.json}); the model's parameters and its optimiser state are
 * saved beside it by the model module's checkpoint, the outer optimiser's momentum in {@code outer-momentum.bin}.
 *
 * <p>Data position: a worker's windows in round r are drawn by an RNG seeded with (seed, r, worker) from its
 * shard, and the shards are a pure function of the data and the worker count. So (round, seed, workers) fix the
 * position of every worker exactly; {@code shardTokens} lets a resume check that the data is the same.
 */
public record TrainerState(
        @JsonProperty("round") int round,
        @JsonProperty("step") long step,
        @JsonProperty("tokens_seen") long tokensSeen,
        @JsonProperty("seed") long seed,
        @JsonProperty("workers") int workers,
        @JsonProperty("local_steps") int localSteps,
        @JsonProperty("shard_tokens") List<Long> shardTokens,
        @JsonProperty("best_val_loss") Double bestValLoss,
        @JsonProperty("evals_without_improvement") int evalsWithoutImprovement,
        @JsonProperty("params_sha256") String paramsSha256,
        @JsonProperty("outer_optimizer") String outerOptimizer) {
}
