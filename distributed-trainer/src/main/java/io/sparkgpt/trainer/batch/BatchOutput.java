package io.sparkgpt.trainer.batch;

import static org.apache.spark.sql.functions.col;

import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.spark.StepOutput;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * Writes a batch job's results: {@code <output>/<name>} (Parquet, the good rows in input order, without the
 * {@code error}/{@code detail} columns), {@code <output>/errors} (JSON lines: row, error, detail, for every row that
 * could not be used) and {@code <output>/stats.json} (rows, kept, errors by kind, plus the job's figures), all into
 * the temporary folder and committed with {@code _SUCCESS} ({@link StepOutput}).
 */
final class BatchOutput {
    private BatchOutput() {}

    /** {@code tokens}: the column whose sum over the good rows is the job's token count (generated or scored). */
    static Map<String, Object> write(Storage storage, StepOutput out, String name, String tokens, Dataset<Row> results,
                                     Map<String, Object> figures) {
        results = results.persist(StorageLevel.MEMORY_AND_DISK());
        try {
            String tmp = out.tempPath();
            storage.delete(tmp);
            long t0 = System.nanoTime();
            Dataset<Row> good = results.filter(col("error").isNull()).drop("error", "detail").orderBy("row");
            good.write().parquet(Storage.child(tmp, name));
            double seconds = (System.nanoTime() - t0) / 1e9;
            results.filter(col("error").isNotNull()).select("row", "error", "detail").orderBy("row").coalesce(1)
                    .write().json(Storage.child(tmp, "errors"));
            Map<String, Long> errors = new TreeMap<>();
            long rows = 0;
            for (Row r : results.groupBy("error").count().collectAsList()) {
                rows += r.getLong(1);
                if (!r.isNullAt(0)) {
                    errors.put(r.getString(0), r.getLong(1));
                }
            }
            long bad = errors.values().stream().mapToLong(Long::longValue).sum();
            Map<String, Object> stats = new LinkedHashMap<>();
            stats.put("rows", rows);
            stats.put("kept", rows - bad);
            stats.put("errors", errors);
            Row sum = results.filter(col("error").isNull()).agg(org.apache.spark.sql.functions.sum(tokens)).first();
            long tok = sum.isNullAt(0) ? 0 : sum.getLong(0);
            stats.put(tokens, tok);
            stats.put("seconds", seconds);
            stats.put("rows_per_s", (rows - bad) / seconds);
            stats.put("tokens_per_s", tok / seconds);
            stats.putAll(figures);
            storage.writeString(Storage.child(tmp, "stats.json"), Json.write(stats));
            out.commit();
            return stats;
        } finally {
            results.unpersist();
        }
    }
}
