package io.sparkgpt.pipeline.dedup;

import io.sparkgpt.common.stats.StepStats;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What {@link Deduplicator#apply} returns.
 *
 * @param kept the documents kept, with exactly the input's columns
 * @param excluded the documents dropped: the input's columns plus {@code step} ("dedup"), {@code reason}
 *     (exact_url, exact_content, near_duplicate), {@code duplicate_of} (id of the kept document) and
 *     {@code similarity} (null for exact_url, 1.0 for exact_content, the best Jaccard to a cluster member for
 *     near_duplicate: exact with verification, else the MinHash estimate)
 * @param stats documents in/kept/dropped by reason and counters (candidate pairs, verified pairs, clusters, ...)
 * @param clusterSizes histogram of near-duplicate cluster sizes: bucket label ("2", "3-4", "5-8", ...) -> clusters
 */
public record DedupResult(Dataset<Row> kept, Dataset<Row> excluded, StepStats stats,
                          Map<String, Long> clusterSizes) {
}
