package io.sparkgpt.pipeline.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.pipeline.TestData;
import io.sparkgpt.tokenizer.chat.BadRecords;
import io.sparkgpt.tokenizer.chat.ChatExample;
import io.sparkgpt.tokenizer.chat.ChatJsonl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The augment job in local[2]: lineage, determinism across partitionings, counts, bad rows, answers untouched. */
class AugmentJobTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final StructType DOCS = new StructType().add("id", DataTypes.StringType).add("url", DataTypes.StringType)
            .add("language", DataTypes.StringType).add("text", DataTypes.StringType);
    static final String[] RATES = {"--synonym-rate", "0.3", "--reorder-rate", "1", "--char-noise-rate", "0.03",
        "--word-noise-rate", "0.05", "--copies", "2", "--seed", "5"};

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("augment-test")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static List<Row> documents() throws IOException {
        String pp = Files.readString(TestData.shared().resolve("text/en/pp-1342-0.txt"), StandardCharsets.UTF_8);
        String[] paras = pp.substring(5000, 40_000).split("\\r?\\n\\s*\\n");
        List<Row> rows = new ArrayList<>();
        int n = 0;
        for (int i = 0; i < paras.length && n < 20; i++) {
            String p = paras[i].replaceAll("\\s*\\n\\s*", " ").strip();
            if (p.length() > 200) {
                rows.add(RowFactory.create("en-" + n, "http://example.org/" + n, "en", p + "\n\n" + p));
                n++;
            }
        }
        rows.add(RowFactory.create("fr-1", null, "fr", "Le chat dort sur la table. Il fait beau aujourd'hui. "
                + "Nous partons demain matin."));
        rows.add(RowFactory.create("no-text", null, "en", null));
        rows.add(RowFactory.create(null, null, "en", "A row without an id. It cannot be linked."));
        return rows;
    }

    static int run(String... args) {
        return Cli.execute(new AugmentJob(), args);
    }

    static Map<String, Row> byId(String parquet) {
        Map<String, Row> m = new TreeMap<>();
        for (Row r : spark.read().parquet(parquet).collectAsList()) {
            m.put(r.getAs("id"), r);
        }
        return m;
    }

    @Test
    void documentsGetLinkedVariantsTheSameForAnyPartitioning() throws IOException {
        List<Row> rows = documents();
        Path in1 = tmp.resolve("docs-1");
        Path in3 = tmp.resolve("docs-3");
        spark.createDataFrame(rows, DOCS).coalesce(1).write().parquet(in1.toString());
        spark.createDataFrame(rows, DOCS).repartition(3).write().parquet(in3.toString());
        List<String> args = new ArrayList<>(List.of("--input", in1.toString(), "--output",
                tmp.resolve("out-1").toString()));
        args.addAll(List.of(RATES));
        assertEquals(0, run(args.toArray(String[]::new)));
        args.set(1, in3.toString());
        args.set(3, tmp.resolve("out-3").toString());
        assertEquals(0, run(args.toArray(String[]::new)));

        Map<String, Row> out = byId(tmp.resolve("out-1/documents").toString());
        Map<String, Row> out3 = byId(tmp.resolve("out-3/documents").toString());
        assertEquals(out.keySet(), out3.keySet());
        for (String id : out.keySet()) {
            assertEquals(out.get(id).<String>getAs("text"), out3.get(id).<String>getAs("text"), id);
        }
        Map<String, String> originals = new TreeMap<>();
        for (Row r : rows) {
            if (r.getString(0) != null && r.getString(3) != null) {
                originals.put(r.getString(0), r.getString(3));
            }
        }
        Set<String> seen = new HashSet<>();
        for (Row r : out.values()) {
            String src = r.getAs("source_id");
            String aug = r.getAs("augmentation");
            int variant = r.<Integer>getAs("variant");
            assertTrue(originals.containsKey(src), src);
            assertEquals(originals.get(src).length() > 0, true);
            if (aug.equals("original")) {
                assertEquals(0, variant);
                assertEquals(src, r.getAs("id"));
                assertEquals(originals.get(src), r.getAs("text"));
            } else {
                assertEquals(src + "~" + aug + "-" + variant, r.getAs("id"));
                assertNotEquals(originals.get(src), r.getAs("text"), r.<String>getAs("id"));
                assertTrue(variant == 1 || variant == 2);
                assertEquals(rows.stream().filter(x -> src.equals(x.getString(0))).findFirst().get().getString(1),
                        r.getAs("url"), "other columns carried");
            }
            seen.add(src + "/" + aug);
        }
        for (String id : originals.keySet()) {
            assertTrue(seen.contains(id + "/original"), id);
            assertTrue(seen.contains(id + "/reorder"), id);
            assertTrue(seen.contains(id + "/noise"), id);
            assertEquals(!id.startsWith("fr"), seen.contains(id + "/synonym"), id);
        }

        JsonNode stats = MAPPER.readTree(tmp.resolve("out-1/stats.json").toFile());
        JsonNode c = stats.get("counters");
        assertEquals(23, c.get("rows.in").asLong());
        assertEquals(1, c.get("rows.bad.missing_text").asLong());
        assertEquals(1, c.get("rows.bad.missing_id").asLong());
        assertEquals(1, c.get("synonym.skipped_not_english").asLong());
        assertEquals(40, c.get("synonym.variants").asLong() + c.path("synonym.unchanged").asLong());
        assertEquals(42, c.get("reorder.variants").asLong());
        assertEquals(out.size(), stats.get("rows_out").asLong());
        assertEquals(21 + c.get("synonym.variants").asLong() + c.get("reorder.variants").asLong()
                + c.get("noise.variants").asLong(), out.size());
        assertEquals(2, stats.get("bad_rows").asLong());
        assertEquals(Map.of("missing_id", 1, "missing_text", 1),
                MAPPER.convertValue(stats.get("bad_by_reason"), Map.class));
        assertTrue(stats.get("bad_first").toString().contains("no-text: missing_text"), stats.toString());
    }

    @Test
    void chatExamplesChangeOnlyUserTurnsAndReadBack() throws IOException {
        Path in = tmp.resolve("chat.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            lines.add(MAPPER.writeValueAsString(Map.of("prompt", "Please write the first word of this happy little "
                    + "sentence number " + i + ". Then stop.", "completion", "Please. The answer stays " + i)));
        }
        lines.add("{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief and kind.\"}, {\"role\": \"user\", "
                + "\"content\": \"Describe the large quiet river near the old town.\"}, {\"role\": \"assistant\", "
                + "\"content\": \"A large quiet river.\"}]}");
        lines.add("this is not json");
        lines.add("");
        lines.add("{\"prompt\": \"only a prompt\"}");
        Files.write(in, lines);
        Path out = tmp.resolve("chat-out");
        List<String> args = new ArrayList<>(List.of("--input", in.toString(), "--output", out.toString(),
                "--language", "en"));
        args.addAll(List.of(RATES));
        assertEquals(0, run(args.toArray(String[]::new)));

        BadRecords bad = new BadRecords();
        List<ChatExample> back = ChatJsonl.readExamples(out.resolve("examples.jsonl"), bad);
        assertEquals(0, bad.total(), bad.messages().toString());
        Map<String, ChatExample> originals = new TreeMap<>();
        List<JsonNode> recs = new ArrayList<>();
        for (String l : Files.readAllLines(out.resolve("examples.jsonl"))) {
            recs.add(MAPPER.readTree(l));
        }
        assertEquals(back.size(), recs.size());
        for (int i = 0; i < recs.size(); i++) {
            if (recs.get(i).get("augmentation").asText().equals("original")) {
                originals.put(recs.get(i).get("source_id").asText(), back.get(i));
            }
        }
        assertEquals(31, originals.size());
        int variants = 0;
        for (int i = 0; i < recs.size(); i++) {
            ChatExample orig = originals.get(recs.get(i).get("source_id").asText());
            ChatExample ex = back.get(i);
            assertEquals(orig.firstTarget(), ex.firstTarget());
            for (int m = 0; m < ex.messages().size(); m++) {
                if (!ex.messages().get(m).role().equals("user")) {
                    assertEquals(orig.messages().get(m), ex.messages().get(m), "only user turns change");
                }
            }
            if (!recs.get(i).get("augmentation").asText().equals("original")) {
                assertNotEquals(orig, ex);
                variants++;
            }
        }
        assertTrue(variants > 31 * 2, "reorder and noise gave variants: " + variants);
        assertEquals("chat.jsonl:1", recs.get(0).get("source_id").asText(), "input order kept");
        JsonNode stats = MAPPER.readTree(out.resolve("stats.json").toFile());
        assertEquals(2, stats.get("bad_rows").asLong());
        assertEquals(Map.of("not_json", 1, "missing_field", 1),
                MAPPER.convertValue(stats.get("bad_by_reason"), Map.class));
        assertTrue(stats.get("bad_first").toString().contains("chat.jsonl:32: not_json"), stats.toString());
        assertTrue(stats.get("bad_first").toString().contains("chat.jsonl:34: missing_field"), stats.toString());
        assertEquals(recs.size(), stats.get("rows_out").asLong());
    }

    @Test
    void badOptionsAndInputAreNamed() throws IOException {
        assertEquals(Cli.EXIT_USAGE, run("--input", "x.jsonl", "--output", tmp.resolve("o").toString()));
        Path in = tmp.resolve("no-text");
        spark.createDataFrame(List.of(RowFactory.create("a")), new StructType().add("id", DataTypes.StringType))
                .write().parquet(in.toString());
        assertEquals(Cli.EXIT_USAGE, run("--input", in.toString(), "--output", tmp.resolve("o2").toString(),
                "--char-noise-rate", "0.1"));
        assertEquals(Cli.EXIT_USAGE, run("--input", in.toString(), "--output", tmp.resolve("o3").toString(),
                "--char-noise-rate", "1.5"));
    }
}
