package io.sparkgpt.pipeline.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectJobTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;
    static Path job;
    static Path documents;

    @BeforeAll
    static void writeParquet() throws IOException {
        spark = SparkSession.builder().master("local[2]").appName("inspect-test")
                .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC").getOrCreate();
        job = tmp.resolve("job");
        documents = job.resolve("documents");
        writeDocuments(spark, documents.toString(), 7); // Spark's committer leaves _SUCCESS
        Files.writeString(job.resolve("stats.json"), "{\n  \"job\" : \"test-job\",\n  \"steps\" : [ ]\n}\n");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** A small documents-shaped Parquet (string, timestamp, double, map, array) in 2 files. */
    static void writeDocuments(SparkSession spark, String dir, int n) {
        StructType schema = new StructType()
                .add("id", DataTypes.StringType)
                .add("fetch_time", DataTypes.TimestampType)
                .add("language_score", DataTypes.DoubleType)
                .add("text", DataTypes.StringType)
                .add("signals", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType))
                .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType));
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Integer> tokens = new ArrayList<>();
            for (int t = 0; t < 100 + i; t++) {
                tokens.add(t);
            }
            rows.add(RowFactory.create("doc-" + i, new Timestamp(1_700_000_000_000L + i * 1000L), 0.5 + i / 100.0,
                    "line one of doc " + i + "\n" + "x".repeat(300), scala.collection.JavaConverters
                            .mapAsScalaMap(Map.of("words", (double) (10 + i))),
                    scala.collection.JavaConverters.asScalaBuffer(tokens).toSeq()));
        }
        Dataset<Row> df = spark.createDataFrame(rows, schema).repartition(2);
        df.write().mode("overwrite").parquet(dir);
    }

    @Test
    void reportsSchemaRowsSizeSampleAndParentStats() throws IOException {
        InspectReport r = new ParquetInspector(spark).inspect(documents.toString(), 3, 0);
        assertEquals(7, r.rows());
        assertEquals(2, r.parquetFiles());
        long onDisk;
        try (Stream<Path> files = Files.walk(documents)) {
            // Hadoop's local file system hides its .crc checksum files: they are not counted
            onDisk = files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                    .mapToLong(p -> p.toFile().length()).sum();
        }
        assertEquals(onDisk, r.bytes());
        assertTrue(r.complete());
        assertTrue(r.schema().contains("signals: map"), r.schema());
        assertTrue(r.schema().contains("tokens: array"), r.schema());
        assertEquals(3, r.sampleRows().size());
        List<String> first = r.sampleRows().get(0);
        assertEquals(6, first.size());
        assertTrue(first.get(0).startsWith("id: doc-"), first.toString());
        assertTrue(first.get(4).startsWith("signals: {\"words\":"), first.toString());
        assertTrue(first.get(3).length() > 300, "no truncation by default");
        assertEquals(job.resolve("stats.json").toString(), r.statsPath());
        assertTrue(r.statsJson().contains("test-job"));

        String text = r.render();
        assertTrue(text.contains("rows: 7"), text);
        assertTrue(text.contains("(" + String.format("%,d", onDisk) + " bytes)"), text);
        assertTrue(text.contains("\"job\" : \"test-job\""), text);
        assertTrue(text.contains("-- row 3") && !text.contains("-- row 4"), text);
    }

    @Test
    void truncateCutsStringsAndArrays() {
        InspectReport r = new ParquetInspector(spark).inspect(documents.toString(), 1, 10);
        List<String> row = r.sampleRows().get(0);
        String text = row.get(3);
        assertTrue(text.matches("text: line one o\\.\\.\\. \\(3\\d\\d chars\\)"), text);
        String tokens = row.get(5);
        assertTrue(tokens.startsWith("tokens: [0,1,2,3,4,5,6,7,8,9,\"... (10"), tokens);
    }

    @Test
    void statsInTheFolderItselfWinsAndNoneIsSaid() throws IOException {
        Path alone = tmp.resolve("alone/step");
        writeDocuments(spark, alone.toString(), 2);
        Files.delete(alone.resolve("_SUCCESS")); // Spark's committer writes one; a half-done step has none
        InspectReport none = new ParquetInspector(spark).inspect(alone.toString(), 1, 0);
        assertNull(none.statsPath());
        assertFalse(none.complete());
        assertTrue(none.render().contains("INCOMPLETE"));
        assertTrue(none.render().contains("stats.json: none"));
        Files.writeString(alone.resolve("stats.json"), "{\"step\":\"own\"}");
        InspectReport own = new ParquetInspector(spark).inspect(alone.toString(), 1, 0);
        assertEquals(alone.resolve("stats.json").toString(), own.statsPath());
    }

    @Test
    void folderWithoutParquetNamesItsSubfolders() {
        UsageException e = assertThrows(UsageException.class,
                () -> new ParquetInspector(spark).inspect(job.toString(), 1, 0));
        assertTrue(e.getMessage().contains("holds no Parquet files") && e.getMessage().contains("documents"),
                e.getMessage());
    }

    @Test
    void cliWritesTheReportFile() throws IOException {
        Path report = tmp.resolve("reports/inspect.txt");
        Captured c = runCli("--input", documents.toString(), "--rows", "2", "--truncate", "--report",
                report.toString());
        assertEquals(0, c.code, c.err);
        assertTrue(c.out.contains("rows: 7"), c.out);
        assertEquals(c.out, Files.readString(report));
    }

    @Test
    void missingInputIsOneLineExit2() {
        Path missing = tmp.resolve("no-such-folder");
        Captured c = runCli("--input", missing.toString());
        assertEquals(Cli.EXIT_USAGE, c.code);
        assertEquals(1, c.err.strip().lines().count(), c.err);
        assertTrue(c.err.contains("input " + missing + " does not exist"), c.err);
        assertEquals("", c.out);
    }

    @Test
    void badOptionIsOneLineExit2() {
        Captured c = runCli("--input", documents.toString(), "--rows", "many");
        assertEquals(Cli.EXIT_USAGE, c.code);
        assertEquals(1, c.err.strip().lines().count(), c.err);
        assertTrue(c.err.contains("--rows"), c.err);
        Captured unknown = runCli("--bogus");
        assertEquals(Cli.EXIT_USAGE, unknown.code);
        assertEquals(1, unknown.err.strip().lines().count(), unknown.err);
    }

    record Captured(int code, String out, String err) {}

    static Captured runCli(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Cli.execute(new InspectJob(), args);
            return new Captured(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
