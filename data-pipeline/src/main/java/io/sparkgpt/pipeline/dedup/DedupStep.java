package io.sparkgpt.pipeline.dedup;

import io.sparkgpt.pipeline.dedup.DedupConfig;
import io.sparkgpt.pipeline.dedup.DedupResult;
import io.sparkgpt.pipeline.dedup.Deduplicator;
import io.sparkgpt.pipeline.step.DatasetStep;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The recipe's dedup step: exact URL and content dedup, then MinHash-LSH near-duplicate removal with distributed
 * connected components ({@link Deduplicator}), over the documents the per-document filters kept. Its excluded rows
 * carry {@code duplicate_of} and {@code similarity}; its stats keep the dedup's own reasons and counters.
 */
public final class DedupStep implements DatasetStep {
    private final DedupConfig config;

    public DedupStep(DedupConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return Deduplicator.STEP;
    }

    @Override
    public Result apply(Dataset<Row> documents, Context context) {
        DedupResult r = new Deduplicator(config).apply(documents);
        return new Result(r.kept(), r.excluded(), r.stats());
    }
}
