package io.sparkgpt.pipeline.preprocess;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.pipeline.TestData;
import io.sparkgpt.pipeline.step.Schemas;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole job in local[2] on real crawl files plus broken ones: outputs, resume, stable ids, usage errors. */
class PreprocessJobTest {
    static SparkSession spark;
    @TempDir
    static Path tmp;
    static Path inputDir;

    @BeforeAll
    static void setUp() throws Exception {
        spark = SparkTests.local();
        inputDir = tmp.resolve("in");
        Files.createDirectories(inputDir);
        for (String f : List.of("resiliparse-warcfile.warc.gz", "whirlwind-CC-MAIN-2024-22.warc.gz",
                "npm-warc-CC-MAIN-2014-35-sample.warc.wet", "warcio-example-iana.org-chunked.warc",
                "jwarc-cc.warc.gz")) {
            Files.copy(TestData.warc(f), inputDir.resolve(f));
        }
        byte[] good = Files.readAllBytes(TestData.warc("resiliparse-warcfile.warc.gz"));
        Files.write(inputDir.resolve("truncated.warc.gz"), java.util.Arrays.copyOf(good, good.length / 2));
        Files.write(inputDir.resolve("empty.warc.gz"), new byte[0]);
        Files.writeString(inputDir.resolve("garbage.warc"), "this is not a WARC file at all\n\u0000\u0001");
        Files.writeString(inputDir.resolve("docs.jsonl"), String.join("\n",
                "{\"id\":\"a\",\"url\":\"http://x/a\",\"text\":\"" + "The cat sat on the mat and it was happy with that. "
                        .repeat(20) + "\"}",
                "not json",
                "{\"text\":\"short\"}"));
    }

    static int run(String... args) {
        return Cli.execute(new PreprocessJob(), args);
    }

    @Test
    void writesAllOutputsResumesAndKeepsIdsStable() throws Exception {
        Path out = tmp.resolve("out");
        assertEquals(0, run("--input", inputDir.toString(), "--output", out.toString()));
        for (String p : List.of("_SUCCESS", "stats.json", "documents/_SUCCESS", "errors/_SUCCESS",
                "excluded/select/_SUCCESS", "excluded/extract/_SUCCESS", "excluded/language/_SUCCESS",
                "excluded/gopher_quality/_SUCCESS", "excluded/c4/_SUCCESS", "excluded/fineweb/_SUCCESS",
                "excluded/pii/_SUCCESS")) {
            assertTrue(Files.exists(out.resolve(p)), p);
        }
        Dataset<Row> docs = spark.read().parquet(out.resolve("documents").toString());
        assertEquals(Schemas.DOCUMENTS.simpleString(), docs.schema().simpleString()
                .replace("not null", ""), "documents schema");
        long n = docs.count();
        assertTrue(n >= 3, "documents: " + n);
        assertEquals(n, docs.select("id").distinct().count(), "ids are unique");
        List<Row> langs = docs.groupBy("language").count().collectAsList();
        System.out.println("languages kept: " + langs);

        Dataset<Row> errors = spark.read().parquet(out.resolve("errors").toString());
        Set<String> bad = errors.collectAsList().stream().map(r -> Path.of(r.getString(0)).getFileName().toString())
                .collect(Collectors.toSet());
        System.out.println("errors: " + errors.collectAsList());
        assertTrue(bad.contains("truncated.warc.gz"), "truncated file named in errors: " + bad);
        assertTrue(bad.contains("garbage.warc"), "garbage file named in errors: " + bad);
        assertTrue(bad.contains("docs.jsonl"), "bad JSONL line named: " + bad);
        assertTrue(bad.contains("empty.warc.gz"), "empty file named: " + bad);
        assertEquals(1, errors.filter(col("source").endsWith("truncated.warc.gz")).count(), "named once");
        // the good records before the damage of the truncated copy are kept or excluded like the original's
        Dataset<Row> all = spark.read().parquet(out.resolve("records").toString());
        long truncatedDocs = all.filter(col("source").endsWith("truncated.warc.gz")
                .and(col("status").notEqual(Schemas.ERROR))).count();
        assertTrue(truncatedDocs > 0, "records before the damage of truncated.warc.gz are kept");

        long excludedTotal = 0;
        for (String step : List.of("select", "extract", "language", "gopher_repetition", "gopher_quality", "c4",
                "fineweb", "pii")) {
            Dataset<Row> excluded = spark.read().parquet(out.resolve("excluded/" + step).toString());
            assertTrue(List.of(excluded.columns()).containsAll(List.of("step", "reason", "id", "text")), step);
            assertEquals(0, excluded.filter(col("reason").isNull().or(col("step").notEqual(step))).count(), step);
            excludedTotal += excluded.count();
        }
        assertEquals(all.filter(col("status").equalTo(Schemas.EXCLUDED)).count(), excludedTotal,
                "every excluded record is in excluded/<its step>");
        assertTrue(excludedTotal > 10, "excluded " + excludedTotal);

        JsonNode stats = Json.mapper().readTree(out.resolve("stats.json").toFile());
        assertEquals("preprocess", stats.get("job").asText());
        assertTrue(stats.get("steps").size() >= 9, stats.toString());
        assertEquals(n, stats.get("totals").get("documents").asLong(), "stats agree with documents");
        JsonNode extract = stats.get("steps").get(2);
        assertEquals("extract", extract.get("step").asText());
        assertTrue(extract.get("bytesIn").asLong() > 0);

        // a re-run over a complete output does nothing
        long mtime = Files.getLastModifiedTime(out.resolve("documents/_SUCCESS")).toMillis();
        assertEquals(0, run("--input", inputDir.toString(), "--output", out.toString()));
        assertEquals(mtime, Files.getLastModifiedTime(out.resolve("documents/_SUCCESS")).toMillis());

        // an interrupted run (documents and the job marker gone) is finished from the staged pass
        deleteTree(out.resolve("documents"));
        Files.delete(out.resolve("_SUCCESS"));
        assertEquals(0, run("--input", inputDir.toString(), "--output", out.toString()));
        assertEquals(n, spark.read().parquet(out.resolve("documents").toString()).count());

        // same ids whatever the partitioning and the step selection; --overwrite starts over
        Path out2 = tmp.resolve("out2");
        Files.createDirectories(out2.resolve("leftover"));
        assertEquals(0, run("--input", inputDir.resolve("whirlwind-CC-MAIN-2024-22.warc.gz").toString(),
                inputDir.resolve("resiliparse-warcfile.warc.gz").toString(), "--output", out2.toString(),
                "--partitions", "3", "--overwrite", "--steps", "select,extract,pii"));
        assertFalse(Files.exists(out2.resolve("leftover")), "--overwrite starts from an empty folder");
        assertFalse(Files.exists(out2.resolve("excluded/language")), "steps not selected write nothing");
        Dataset<Row> docs2 = spark.read().parquet(out2.resolve("documents").toString());
        try (var files = Files.list(out2.resolve("documents"))) {
            assertEquals(3, files.filter(f -> f.getFileName().toString().endsWith(".parquet")).count());
        }
        assertTrue(docs2.count() >= 6);
        Dataset<Row> staged = all.filter(col("status").notEqual(Schemas.ERROR)).select("id");
        assertEquals(0, docs2.select("id").except(staged).count(), "ids independent of partitioning");
    }

    @Test
    void missingInputAndUnwritableOutputAreUsageErrors() throws Exception {
        assertEquals(2, runQuiet("--input", tmp.resolve("nope").toString(), "--output", tmp.resolve("o").toString()));
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "x");
        assertEquals(2, runQuiet("--input", inputDir.toString(), "--output", file.resolve("sub").toString()));
        assertEquals(2, runQuiet("--input", inputDir.toString(), "--output", tmp.resolve("o").toString(),
                "--steps", "nosuchstep"));
    }

    static int runQuiet(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        System.setErr(new PrintStream(b, true, StandardCharsets.UTF_8));
        try {
            return run(args);
        } finally {
            System.setErr(old);
            System.out.println("stderr: " + b.toString(StandardCharsets.UTF_8).trim());
        }
    }

    static void deleteTree(Path p) throws java.io.IOException {
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
