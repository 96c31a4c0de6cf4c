package io.sparkgpt.trainer.batch;

import io.sparkgpt.common.cli.UsageException;
import java.util.Arrays;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * The rows of a batch job: Parquet (a file or folder) or JSON lines ({@code .jsonl}, {@code .json}, optionally
 * {@code .gz}), each numbered by its place in the input ({@code row}, from 0). The row number is what a row's
 * random stream is seeded from and what errors name, so it must not depend on how the rows are partitioned.
 */
record BatchInput(JavaRDD<Tuple2<Row, Long>> rows, int column, int corrupt, StructType schema) {
    static final String CORRUPT = "_corrupt_record";

    static BatchInput read(SparkSession spark, String path, String column, int partitions) {
        String p = path.toLowerCase();
        boolean json = p.endsWith(".jsonl") || p.endsWith(".json") || p.endsWith(".jsonl.gz") || p.endsWith(".json.gz");
        Dataset<Row> df = json ? spark.read().option("mode", "PERMISSIVE").json(path) : spark.read().parquet(path);
        String[] cols = df.columns();
        if (!Arrays.asList(cols).contains(column)) {
            throw new UsageException("--input " + path + " has no column '" + column + "' (columns: "
                    + String.join(", ", cols) + "); name it with --column");
        }
        JavaRDD<Tuple2<Row, Long>> rows = df.javaRDD().zipWithIndex().map(t -> t);
        if (partitions > 0) {
            rows = rows.repartition(partitions);
        }
        return new BatchInput(rows, df.schema().fieldIndex(column),
                Arrays.asList(cols).contains(CORRUPT) ? df.schema().fieldIndex(CORRUPT) : -1, df.schema());
    }

    /** Why row {@code r} cannot be used, or null: a line that is not JSON, or a missing (null) column. */
    static String[] badRow(Row r, int column, int corrupt, String name) {
        if (corrupt >= 0 && !r.isNullAt(corrupt)) {
            return new String[] {"corrupt_record", "not a JSON object: " + abbreviate(r.getString(corrupt))};
        }
        if (r.isNullAt(column)) {
            return new String[] {"missing_column", "no '" + name + "' in this row"};
        }
        return null;
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
