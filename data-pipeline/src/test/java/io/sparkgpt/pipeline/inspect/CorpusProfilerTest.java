package io.sparkgpt.pipeline.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.common.stats.CorpusProfile;
import io.sparkgpt.common.stats.CorpusProfile.Bin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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

/** The profile's bins against a hand-counted input of six documents. */
class CorpusProfilerTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("profile-test")
                .config("spark.ui.enabled", "false").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /**
     * text (code points / words)     language  score  signals
     * ""            (0 / 0)          en        0.95   a=0.0  b=3.0
     * "hi"          (2 / 1)          en        0.5    a=0.1  b=1.0
     * "one two three" (13 / 3)       de        null   a=1.0  b=-0.5
     * null          (0 / 0)          null      0.05   a=NaN
     * "héllo wörld  x" (14 / 3)      en        0.9    b=2.0
     * "a😀b"        (3 / 1; 4 UTF-16 chars)  en  1.0  (no signals)
     */
    static Dataset<Row> documents() {
        StructType schema = new StructType()
                .add("id", DataTypes.StringType)
                .add("language", DataTypes.StringType)
                .add("language_score", DataTypes.DoubleType)
                .add("text", DataTypes.StringType)
                .add("signals", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType));
        List<Row> rows = Arrays.asList(
                row("d1", "en", 0.95, "", Map.of("a", 0.0, "b", 3.0)),
                row("d2", "en", 0.5, "hi", Map.of("a", 0.1, "b", 1.0)),
                row("d3", "de", null, "one two three", Map.of("a", 1.0, "b", -0.5)),
                row("d4", null, 0.05, null, Map.of("a", Double.NaN)),
                row("d5", "en", 0.9, "h\u00e9llo w\u00f6rld  x", Map.of("b", 2.0)),
                row("d6", "en", 1.0, "a\uD83D\uDE00b", null));
        return spark.createDataFrame(rows, schema);
    }

    static Row row(String id, String lang, Double score, String text, Map<String, Double> signals) {
        return RowFactory.create(id, lang, score, text,
                signals == null ? null : scala.collection.JavaConverters.mapAsScalaMap(signals));
    }

    static Bin bin(Double lo, double hi, long n) {
        return new Bin(lo, hi, n);
    }

    @Test
    void binsMatchTheHandCount() {
        CorpusProfile p = new CorpusProfiler().profile("mem", documents());
        assertEquals(6, p.documents());
        assertEquals(List.of(bin(0.0, 1, 2), bin(2.0, 4, 2), bin(8.0, 16, 2)), p.textChars());
        assertEquals(List.of(bin(0.0, 1, 2), bin(1.0, 2, 2), bin(2.0, 4, 2)), p.textWords());
        assertEquals(List.of("a", "b", "language_score"), List.copyOf(p.signals().keySet()));
        assertEquals(new CorpusProfile.Signal(4, 1, List.of(bin(0.0, 0.1, 1), bin(0.1, 0.2, 1), bin(0.9, 1.0, 1))),
                p.signals().get("a"));
        assertEquals(new CorpusProfile.Signal(4, 0, List.of(bin(null, 0, 1), bin(0.9, 1.0, 1), bin(2.0, 4, 2))),
                p.signals().get("b"));
        assertEquals(new CorpusProfile.Signal(5, 0, List.of(bin(0.0, 0.1, 1), bin(0.5, 0.6, 1), bin(0.9, 1.0, 3))),
                p.signals().get("language_score"));
        assertEquals(Map.of("en", 4L, "de", 1L, "none", 1L), p.languages());
    }

    @Test
    void binEdges() {
        assertEquals(List.of(0, 1, 2, 2, 3, 41), List.of(CorpusProfiler.lengthBin(0), CorpusProfiler.lengthBin(1),
                CorpusProfiler.lengthBin(2), CorpusProfiler.lengthBin(3), CorpusProfiler.lengthBin(4),
                CorpusProfiler.lengthBin(1L << 40)));
        assertEquals(List.of(-1, 0, 3, 9, 9, 10, 11, 12), List.of(CorpusProfiler.signalBin(-1e-9),
                CorpusProfiler.signalBin(0.0), CorpusProfiler.signalBin(0.3), CorpusProfiler.signalBin(0.95),
                CorpusProfiler.signalBin(1.0), CorpusProfiler.signalBin(1.5), CorpusProfiler.signalBin(2.0),
                CorpusProfiler.signalBin(4.0)));
        assertEquals(List.of(0, 0, 1, 3, 2), List.of(CorpusProfiler.words(null), CorpusProfiler.words(" \t\n"),
                CorpusProfiler.words(" x "), CorpusProfiler.words("a b\tc"), CorpusProfiler.words("a\n\nb")));
    }

    @Test
    void noTextColumnIsAClearError() {
        UsageException e = assertThrows(UsageException.class, () -> new CorpusProfiler()
                .profile("tokens/train", documents().drop("text")));
        assertTrue(e.getMessage().contains("tokens/train") && e.getMessage().contains("'text'"), e.getMessage());
    }

    /** {@code inspect --profile}: the JSON the corpus report reads, with the record's field names. */
    @Test
    void inspectWritesTheProfile() throws Exception {
        Path docs = tmp.resolve("documents");
        documents().coalesce(1).write().parquet(docs.toString());
        Path out = tmp.resolve("profile.json");
        assertEquals(Cli.EXIT_OK, Cli.execute(new InspectJob(), "--input", docs.toString(), "--rows", "0",
                "--profile", out.toString()));
        JsonNode p = Json.mapper().readTree(Files.readString(out));
        assertEquals(6, p.get("documents").asLong());
        assertEquals(2, p.get("textChars").get(1).get("count").asLong());
        assertEquals(4.0, p.get("textChars").get(1).get("hi").asDouble());
        assertTrue(p.get("signals").get("b").get("bins").get(0).get("lo").isNull(), p.toString());
        assertEquals(4, p.get("languages").get("en").asLong());
    }
}
