package io.sparkgpt.pipeline.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.pipeline.dedup.DedupFixtures.Doc;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dedup job end to end: Parquet in, documents + excluded/dedup + stats.json + _SUCCESS out; usage errors. */
class DedupJobTest {
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

    /** 60 chunks of Alice, plus 3 URL duplicates, 3 content duplicates and 3 near duplicates. */
    static List<Doc> corpus() {
        List<String> chunks = DedupFixtures.chunks(DedupFixtures.read(
                DedupFixtures.shared().resolve("text/en/alice-11-0.txt")), 150).subList(10, 70);
        List<Doc> docs = new ArrayList<>();
        for (int i = 0; i < chunks.size(); i++) {
            docs.add(new Doc(String.format("a%03d", i), "http://alice/" + i, 1_000_000L, "en", chunks.get(i)));
        }
        for (int i = 0; i < 3; i++) {
            docs.add(new Doc("url-dup-" + i, "http://alice/" + i, 2_000_000L, "en", "a later fetch " + i));
            docs.add(new Doc("copy-" + i, "http://mirror/" + i, 0L, "en", "  " + chunks.get(10 + i).toUpperCase()));
            // two words replaced: 10 of ~146 shingles change, Jaccard ~0.87
            String[] w = chunks.get(20 + i).split(" ");
            w[30] = "zzz" + i;
            w[100] = "yyy" + i;
            docs.add(new Doc("near-" + i, "http://near/" + i, 0L, "en", String.join(" ", w)));
        }
        return docs;
    }

    static int run(String... args) {
        return Cli.execute(new DedupJob(), args);
    }

    @Test
    void writesKeptExcludedStatsAndSuccess() throws Exception {
        Path in = tmp.resolve("in");
        DedupFixtures.documents(spark, corpus()).repartition(3).write().parquet(in.toString());
        Path out = tmp.resolve("out");
        assertEquals(0, run("--input", in.toString(), "--output", out.toString(), "--partitions", "4"));
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        assertTrue(Files.exists(out.resolve("documents/_SUCCESS")));
        assertTrue(Files.exists(out.resolve("excluded/dedup/_SUCCESS")));

        Dataset<Row> kept = spark.read().parquet(out.resolve("documents").toString());
        Dataset<Row> excluded = spark.read().parquet(out.resolve("excluded/dedup").toString());
        assertEquals(List.of(DedupFixtures.DOCUMENTS.fieldNames()), List.of(kept.columns()),
                "kept documents keep the contract's columns");
        assertEquals(60, kept.count());
        assertEquals(9, excluded.count());
        assertTrue(List.of(excluded.columns()).containsAll(List.of("signals", "step", "reason", "duplicate_of",
                "similarity")));
        // URL: the later fetch wins, so the original chunks a000..a002 go
        assertEquals(3, excluded.where("reason = 'exact_url' and id like 'a00%' and duplicate_of like 'url-dup-%'")
                .count());
        assertEquals(3, excluded.where("reason = 'exact_content' and similarity = 1.0").count());
        assertEquals(3, excluded.where("reason = 'near_duplicate' and similarity >= 0.7 and step = 'dedup'")
                .count());

        JsonNode stats = Json.mapper().readTree(Files.readString(out.resolve("stats.json")));
        JsonNode step = stats.get("steps").get(0);
        assertEquals(69, step.get("documentsIn").asLong());
        assertEquals(60, step.get("documentsKept").asLong());
        assertEquals(3, step.get("droppedByReason").get("near_duplicate").asLong());
        assertTrue(step.get("counters").get("verified_pairs").asLong() >= 3, step.toString());
        assertEquals(3, stats.get("totals").get("cluster_size_histogram").get("2").asLong(), stats.toString());

        // complete output: a re-run does nothing; --overwrite redoes it
        long mtime = Files.getLastModifiedTime(out.resolve("stats.json")).toMillis();
        assertEquals(0, run("--input", in.toString(), "--output", out.toString()));
        assertEquals(mtime, Files.getLastModifiedTime(out.resolve("stats.json")).toMillis());
    }

    @Test
    void usageErrorsAreOneLineAndExitTwo() {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        try {
            assertEquals(2, run("--input", tmp.resolve("missing").toString(), "--output",
                    tmp.resolve("o2").toString()));
            assertEquals(2, run("--input", tmp.toString(), "--output", tmp.resolve("o3").toString(),
                    "--bands", "20", "--rows", "5", "--num-perm", "128"));
            assertEquals(2, run("--input", tmp.toString(), "--output", tmp.resolve("o4").toString(),
                    "--jaccard-threshold", "1.5"));
            assertEquals(2, run("--bogus"));
        } finally {
            System.setErr(old);
        }
        String[] lines = err.toString().trim().split("\n");
        assertEquals(4, lines.length, err.toString());
        assertTrue(lines[0].contains("does not exist"), lines[0]);
        assertTrue(lines[1].contains("--num-perm 128"), lines[1]);
    }

    /** In preprocess' recipe the cluster-size histogram travels in the step's counters (its stats.json has no totals). */
    @Test
    void recipeStepKeepsTheClusterSizesAsCounters() {
        io.sparkgpt.common.stats.StepStats st = new DedupStep(DedupConfig.defaults())
                .apply(DedupFixtures.documents(spark, corpus()), null).stats();
        assertEquals(3L, st.counters().get(DedupStep.CLUSTER_SIZE + "2"), st.counters().toString());
        assertEquals(st.counters().get("clusters"), st.counters().entrySet().stream()
                .filter(e -> e.getKey().startsWith(DedupStep.CLUSTER_SIZE)).mapToLong(e -> e.getValue()).sum());
    }

    /** The step's own account: counts and bytes by reason match its outputs; a repeated id is refused. */
    @Test
    void statsMatchTheOutputsAndRepeatedIdsAreRefused() {
        Dataset<Row> in = DedupFixtures.documents(spark, corpus());
        DedupResult r = new Deduplicator(DedupConfig.defaults()).apply(in);
        io.sparkgpt.common.stats.StepStats st = r.stats();
        long keptBytes = r.kept().selectExpr("sum(octet_length(text))").first().getLong(0);
        long inBytes = in.selectExpr("sum(octet_length(text))").first().getLong(0);
        assertEquals(in.count(), st.documentsIn());
        assertEquals(inBytes, st.bytesIn());
        assertEquals(r.kept().count(), st.documentsKept());
        assertEquals(keptBytes, st.bytesKept());
        for (String reason : List.of(Deduplicator.EXACT_URL, Deduplicator.EXACT_CONTENT,
                Deduplicator.NEAR_DUPLICATE)) {
            assertEquals(3L, st.droppedByReason().get(reason), reason);
            assertEquals(3L, r.excluded().where(org.apache.spark.sql.functions.col("reason").equalTo(reason))
                    .count(), reason);
        }

        List<Doc> twice = new ArrayList<>(corpus());
        twice.add(new Doc("a001", "http://elsewhere/1", 0L, "en", "another text under a used id"));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Deduplicator(DedupConfig.defaults()).apply(DedupFixtures.documents(spark, twice)));
        assertTrue(e.getMessage().contains("must be unique"), e.getMessage());
    }
}
