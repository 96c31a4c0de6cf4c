package io.sparkgpt.pipeline.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.pipeline.interop.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job's Parquet output read by another Parquet implementation (hyparquet, npm): the same rows, and the
 * timestamps written as Parquet's standard INT64 TIMESTAMP(MICROS), not Spark's legacy INT96.
 */
class ParquetInteropTest {
    static SparkSession spark;
    @TempDir
    static Path tmp;

    @BeforeAll
    static void setUp() {
        spark = DedupFixtures.spark();
    }

    @AfterAll
    static void tearDown() {
        spark.stop();
    }

    @Test
    void documentsReadByHyparquet() throws Exception {
        Path in = tmp.resolve("in");
        DedupFixtures.documents(spark, DedupJobTest.corpus()).repartition(2).write().parquet(in.toString());
        Path out = tmp.resolve("out");
        // the job's own session settings decide the output format: run the job, not a test writer
        assertEquals(0, DedupJobTest.run("--input", in.toString(), "--output", out.toString(), "--partitions", "2"));
        List<String> files;
        try (Stream<Path> s = Files.list(out.resolve("documents"))) {
            files = s.map(Path::toString).filter(f -> f.endsWith(".parquet")).sorted().toList();
        }
        List<String> args = new ArrayList<>(files);
        JsonNode read = Json.mapper().readTree(Node.run("read-parquet.mjs", args.toArray(String[]::new)));

        Map<String, String> theirs = new TreeMap<>();
        Map<String, Long> theirTimes = new TreeMap<>();
        for (JsonNode f : read) {
            JsonNode time = null;
            for (JsonNode col : f.get("schema")) {
                if (col.get("name").asText().equals("fetch_time")) {
                    time = col;
                }
            }
            assertTrue(time != null, "no fetch_time column in " + f.get("schema"));
            assertEquals("INT64", time.get("type").asText(), "fetch_time's physical type: " + time);
            assertEquals("TIMESTAMP", time.get("logical_type").get("type").asText(), time.toString());
            assertEquals("MICROS", time.get("logical_type").get("unit").asText(), time.toString());
            for (JsonNode r : f.get("rows")) {
                theirs.put(r.get("id").asText(), r.get("text").asText());
                theirTimes.put(r.get("id").asText(), java.time.Instant.parse(r.get("fetch_time").asText())
                        .toEpochMilli());
            }
        }
        Map<String, String> ours = new TreeMap<>();
        Map<String, Long> ourTimes = new TreeMap<>();
        for (Row r : spark.read().parquet(out.resolve("documents").toString()).collectAsList()) {
            ours.put(r.getAs("id"), r.getAs("text"));
            ourTimes.put(r.getAs("id"), ((java.sql.Timestamp) r.getAs("fetch_time")).getTime());
        }
        assertEquals(60, ours.size());
        assertEquals(ours, theirs, "hyparquet reads other rows than Spark");
        assertEquals(ourTimes, theirTimes, "hyparquet reads other timestamps than Spark");
    }
}
