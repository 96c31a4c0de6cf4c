package io.sparkgpt.pipeline.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The corpus-level steps' shuffle width when the user leaves spark.sql.shuffle.partitions to the job. */
class ShufflePartitionsTest {
    @Test
    void onePartitionPer20kDocumentsBetweenParallelismAndSparksSetting() {
        assertEquals(2, PreprocessRunner.shufflePartitions(6_594, 2, 200), "the bench: cores");
        assertEquals(2, PreprocessRunner.shufflePartitions(0, 2, 200), "nothing kept");
        assertEquals(150, PreprocessRunner.shufflePartitions(3_000_000, 16, 200), "documents / 20k");
        assertEquals(151, PreprocessRunner.shufflePartitions(3_000_001, 16, 200), "rounded up");
        assertEquals(200, PreprocessRunner.shufflePartitions(100_000_000, 16, 200), "never above Spark's setting");
        assertEquals(4, PreprocessRunner.shufflePartitions(100, 8, 4), "nor above a lower setting");
    }
}
