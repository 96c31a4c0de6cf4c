package io.sparkgpt.trainer.align;

import io.sparkgpt.common.io.Storage;

/** An alignment job's command line, once parsed: the plan that its Spark run and a tuning trial both train. */
public interface AlignJob {
    /** Reads and checks the input and the model, writing nothing; {@code shards} runs per-shard preparation. */
    AlignPlan<?> plan(Storage storage, ShardMap shards);
}
