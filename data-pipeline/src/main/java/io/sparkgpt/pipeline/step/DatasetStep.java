package io.sparkgpt.pipeline.step;

import io.sparkgpt.common.stats.StepStats;
import java.io.Serializable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A recipe step over the whole corpus (dedup, tokenization...): it sees the {@code documents} Dataset that the
 * per-document steps kept and returns what it keeps and what it drops. The job writes {@code excluded} to
 * {@code excluded/<name>} (adding the {@code step} column), passes {@code kept} to the next step, and writes the last
 * step's {@code kept} as {@code documents}. Append one with {@link Recipe#then(DatasetStep)}.
 */
public interface DatasetStep extends Serializable {
    String name();

    /**
     * @param documents the documents schema ({@link Schemas#DOCUMENTS})
     * @return kept (documents schema; extra columns are dropped before writing) and excluded (documents schema plus
     *     a {@code reason} string column, and any step-specific columns such as {@code duplicate_of})
     */
    Result apply(Dataset<Row> documents, Context context);

    /**
     * What the step kept and what it dropped, and, when the step keeps its own account (dedup's pairs, clusters
     * and reasons), its {@link StepStats}; {@code null} stats make the job count kept and dropped itself.
     */
    record Result(Dataset<Row> kept, Dataset<Row> excluded, StepStats stats) {
        public Result(Dataset<Row> kept, Dataset<Row> excluded) {
            this(kept, excluded, null);
        }
    }

    /** The session and the job's output folder (a step may write its own side output under it, e.g. tokens/). */
    record Context(SparkSession spark, String outputDir, boolean overwrite) {}
}
