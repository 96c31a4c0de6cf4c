package io.sparkgpt.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.common.cli.UsageException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token shards: balanced even for one huge document, independent of the Parquet layout, every token once. */
class TokenShardsTest {
    @TempDir
    Path tmp;

    @Test
    void dealsChunksRoundRobinWhateverTheFileLayout() {
        SparkSession spark = SparkSession.builder().master("local[2]").appName("shards")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            StructType schema = new StructType().add("doc_id", DataTypes.StringType)
                    .add("n_tokens", DataTypes.IntegerType)
                    .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType));
            List<Row> rows = new ArrayList<>();
            List<Integer> big = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                big.add(i % 1000);
            }
            rows.add(RowFactory.create("b-one-big-document", big.size(), big));
            rows.add(RowFactory.create("a-small", 3, List.of(1, 2, 3)));
            spark.createDataFrame(rows, schema).repartition(1).write().parquet(tmp.resolve("one").toString());
            spark.createDataFrame(rows, schema).repartition(2).write().parquet(tmp.resolve("two").toString());

            JavaRDD<int[]> s1 = TokenShards.build(spark, tmp.resolve("one").toString(), 3, 1000);
            JavaRDD<int[]> s2 = TokenShards.build(spark, tmp.resolve("two").toString(), 3, 1000);
            List<int[]> a = s1.collect();
            List<int[]> b = s2.collect();
            assertEquals(3, a.size());
            long total = 0;
            for (int k = 0; k < 3; k++) {
                assertArrayEquals(a.get(k), b.get(k), "shard " + k + " depends on the file layout");
                total += a.get(k).length;
            }
            assertEquals(10_003, total);
            // 11 chunks (a-small, then 10 of the big one) dealt round-robin: 4, 4, 3 chunks
            assertArrayEquals(new int[] {1, 2, 3}, java.util.Arrays.copyOf(a.get(0), 3));
            assertTrue(Math.abs(a.get(0).length - a.get(2).length) <= 1000, "unbalanced shards");
            long[] d = TokenShards.describe(s1, 33, 3);
            assertEquals(999, d[3]);
            assertThrows(UsageException.class, () -> TokenShards.describe(s1, 5000, 3));
        } finally {
            spark.stop();
        }
    }
}
