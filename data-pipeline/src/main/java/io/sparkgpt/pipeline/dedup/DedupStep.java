package io.sparkgpt.pipeline.dedup;

import io.sparkgpt.common.stats.StepStats;
import io.sparkgpt.pipeline.dedup.DedupConfig;
import io.sparkgpt.pipeline.dedup.DedupResult;
import io.sparkgpt.pipeline.dedup.Deduplicator;
import io.sparkgpt.pipeline.step.DatasetStep;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The recipe's dedup step: exact URL and content dedup, then MinHash-LSH near-duplicate removal with distributed
 * connected components ({@link Deduplicator}), over the documents the per-document filters kept. Its excluded rows
 * carry {@code duplicate_of} and {@code similarity}; its stats keep the dedup's own reasons and counters, and the
 * near-duplicate cluster-size histogram as counters {@code cluster_size_<bucket>} (a step's stats have no other
 * place for it; the dedup job writes it as {@code totals.cluster_size_histogram}).
 */
public final class DedupStep implements DatasetStep {
    /** Prefix of the counters that hold the cluster-size histogram: {@code cluster_size_3-4} = clusters of 3-4. */
    public static final String CLUSTER_SIZE = "cluster_size_";

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
        StepStats s = r.stats();
        Map<String, Long> counters = new TreeMap<>(s.counters());
        r.clusterSizes().forEach((bucket, n) -> counters.put(CLUSTER_SIZE + bucket, n));
        return new Result(r.kept(), r.excluded(), new StepStats(s.step(), s.documentsIn(), s.documentsKept(),
                s.bytesIn(), s.bytesKept(), s.droppedByReason(), counters, s.seconds()));
    }
}
