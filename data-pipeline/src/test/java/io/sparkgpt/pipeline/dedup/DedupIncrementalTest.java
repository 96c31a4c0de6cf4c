package io.sparkgpt.pipeline.dedup;

import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.pipeline.dedup.DedupFixtures.Doc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incremental dedup: a second corpus against the index of the first gives, for the second corpus' documents, the
 * same decisions as deduplicating both at once with the first preferred; the index grows by one generation and the
 * first corpus' text is not read again (its documents folder is deleted before the second run).
 */
class DedupIncrementalTest {
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

    static String near(String text, int i) {
        String[] w = text.split(" ");
        w[30] = "zzz" + i;
        w[100] = "yyy" + i;
        return String.join(" ", w);
    }

    @Test
    void secondCorpusAgainstTheIndexEqualsAllAtOnce() throws Exception {
        List<String> chunks = DedupFixtures.chunks(DedupFixtures.read(
                DedupFixtures.shared().resolve("text/en/alice-11-0.txt")), 150).subList(10, 80);
        List<Doc> first = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            first.add(new Doc(String.format("a%03d", i), "http://alice/" + i, 1_000_000L, "en", chunks.get(i)));
        }
        first.add(new Doc("a-copy", "http://mirror/0", 0L, "en", chunks.get(0).toUpperCase()));
        first.add(new Doc("a-near", "http://near/0", 0L, "en", near(chunks.get(1), 0)));
        List<Doc> second = new ArrayList<>();
        for (int i = 40; i < 70; i++) {
            second.add(new Doc(String.format("b%03d", i), "http://alice/" + i, 3_000_000L, "en", chunks.get(i)));
        }
        // repeats of the first corpus: a later fetch of its url, a copy of its text, near copies of its text
        // (one of a kept document, one of a document the first run dropped as a near duplicate), the same record
        second.add(new Doc("b-url", "http://alice/5", 9_000_000L, "en", "a new version of page five"));
        second.add(new Doc("b-copy", "http://mirror2/7", 0L, "en", "  " + chunks.get(7)));
        second.add(new Doc("b-near", "http://near2/8", 0L, "en", near(chunks.get(8), 1)));
        second.add(new Doc("b-near-of-dropped", "http://near2/1", 0L, "en", near(chunks.get(1), 2)));
        second.add(first.get(3));
        // and repeats inside the second corpus
        second.add(new Doc("bz-copy-own", "http://mirror2/45", 0L, "en", chunks.get(45).toLowerCase()));
        second.add(new Doc("b-near-own", "http://near2/46", 0L, "en", near(chunks.get(46), 3)));

        Path in1 = tmp.resolve("in1");
        Path in2 = tmp.resolve("in2");
        DedupFixtures.documents(spark, first).repartition(2).write().parquet(in1.toString());
        DedupFixtures.documents(spark, second).repartition(3).write().parquet(in2.toString());
        Path index = tmp.resolve("index");
        Path out1 = tmp.resolve("out1");
        Path out2 = tmp.resolve("out2");
        assertEquals(0, run("--input", in1.toString(), "--output", out1.toString(), "--index", index.toString(),
                "--generation", "1"));
        // the first generation against an empty index is the plain dedup
        Set<String> plain = ids(new Deduplicator(DedupConfig.defaults())
                .apply(spark.read().parquet(in1.toString())).kept());
        assertEquals(plain, ids(spark.read().parquet(out1.resolve("documents").toString())));
        assertEquals(40, plain.size());

        // the earlier corpus' documents are gone: only the index is read
        Dataset<Row> firstDocs = spark.read().parquet(in1.toString()).cache();
        firstDocs.count();
        Path moved = tmp.resolve("in1-moved");
        Files.move(in1, moved);
        assertEquals(0, run("--input", in2.toString(), "--output", out2.toString(), "--index", index.toString(),
                "--generation", "2"));
        Files.move(moved, in1);
        assertTrue(Files.exists(index.resolve("gen-000001/_SUCCESS")));
        assertTrue(Files.exists(index.resolve("gen-000002/_SUCCESS")));

        Dataset<Row> ex2 = spark.read().parquet(out2.resolve("excluded/dedup").toString());
        assertEquals(Set.of("b-url"), ids(ex2.where("reason = 'exact_url'")));
        assertEquals(Set.of("b-copy", "bz-copy-own"), ids(ex2.where("reason = 'exact_content'")));
        // inside the second corpus the copy loses to the smaller id; of the near pair one goes (smaller hash kept)
        Set<String> near = ids(ex2.where("reason = 'near_duplicate'"));
        assertEquals(3, near.size(), near.toString());
        assertTrue(near.containsAll(Set.of("b-near", "b-near-of-dropped")), near.toString());
        assertTrue(near.contains("b-near-own") || near.contains("b046"), near.toString());
        assertEquals(Set.of("a003"), ids(ex2.where("reason = 'seen_before'")));
        assertEquals("a005", ex2.where("id = 'b-url'").first().getAs("duplicate_of"));
        assertEquals("a007", ex2.where("id = 'b-copy'").first().getAs("duplicate_of"));
        assertEquals("a008", ex2.where("id = 'b-near'").first().getAs("duplicate_of"));

        // all at once, the first corpus preferred: same decisions for the second corpus' documents
        Dataset<Row> all = firstDocs.withColumn(DedupIndex.GENERATION, lit(1)).unionByName(
                spark.read().parquet(in2.toString()).where("id != 'a003'").withColumn(DedupIndex.GENERATION,
                        lit(2)));
        DedupResult full = new Deduplicator(DedupConfig.defaults()).apply(all);
        Set<String> secondIds = ids(spark.read().parquet(in2.toString()).where("id != 'a003'"));
        Set<String> fullKept = new TreeSet<>(ids(full.kept()));
        fullKept.retainAll(secondIds);
        assertEquals(fullKept, ids(spark.read().parquet(out2.resolve("documents").toString())));
        assertEquals(decisions(full.excluded(), secondIds), decisions(ex2.where("reason != 'seen_before'"),
                secondIds));
        assertEquals(30, fullKept.size());

        // the index holds every document of both corpora once (a003 fed again is not added twice)
        Dataset<Row> idx = spark.read().parquet(index.resolve("gen-*").toString());
        assertEquals(first.size() + second.size() - 1, idx.count());
        assertEquals(idx.count(), idx.select("id").distinct().count());
        assertFalse(idx.where("reason is null and shingles is null").count() > 0, "kept rows carry shingles");

        // a re-run of a complete output does nothing
        assertEquals(0, run("--input", in2.toString(), "--output", out2.toString(), "--index", index.toString(),
                "--generation", "2"));
        assertEquals(2, run("--input", in2.toString(), "--output", tmp.resolve("o3").toString(), "--index",
                index.toString()));
    }

    static int run(String... args) {
        return Cli.execute(new DedupJob(), args);
    }

    static Set<String> ids(Dataset<Row> d) {
        Set<String> s = new TreeSet<>();
        for (Row r : d.select("id").collectAsList()) {
            s.add(r.getString(0));
        }
        return s;
    }

    static Set<String> decisions(Dataset<Row> excluded, Set<String> of) {
        Set<String> s = new TreeSet<>();
        for (Row r : excluded.select("id", "reason").collectAsList()) {
            if (of.contains(r.getString(0))) {
                s.add(r.getString(0) + ":" + r.getString(1));
            }
        }
        return s;
    }
}
