package io.sparkgpt.pipeline.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.pipeline.dedup.DedupFixtures.Doc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Natural near duplicates in data/test/dedup (Gutenberg editions of the same books, the GPL/LGPL/GFDL licence
 * families) and a Chinese near-duplicate set built from data/test/text/zh.
 */
class DedupNaturalTest {
    static SparkSession spark;

    @BeforeAll
    static void setUp() {
        spark = DedupFixtures.spark();
    }

    @AfterAll
    static void tearDown() {
        spark.stop();
    }

    /** Runs dedup on {@code docs} and checks it against brute force: pairs >= 0.7 together, pairs < 0.5 apart. */
    static Map<String, String> checkAgainstBruteForce(List<Doc> docs, DedupConfig config) {
        DedupResult res = new Deduplicator(config).apply(DedupFixtures.documents(spark, docs));
        Map<String, String> rep = DedupQualityTest.representatives(res);
        Shingler sh = new Shingler(config.ngram(), config.charNgram());
        List<long[]> sets = docs.stream().map(d -> sh.shingles(d.text(), d.language())).toList();
        int n = docs.size();
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double s = Shingler.jaccard(sets.get(i), sets.get(j));
                boolean same = rep.get(docs.get(i).id()).equals(rep.get(docs.get(j).id()));
                if (s >= 0.5) {
                    System.out.printf("  %s ~ %s: Jaccard %.3f, same cluster %s%n", docs.get(i).id(),
                            docs.get(j).id(), s, same);
                }
                if (s >= 0.7) {
                    assertTrue(same, docs.get(i).id() + " ~ " + docs.get(j).id() + " (Jaccard " + s + ")");
                } else if (s < 0.5) {
                    assertFalse(same, docs.get(i).id() + " and " + docs.get(j).id() + " (Jaccard " + s
                            + ") must stay apart");
                }
            }
        }
        return rep;
    }

    @Test
    void gutenbergEditionsAreNearDuplicates() throws Exception {
        Path shared = DedupFixtures.shared();
        List<Doc> docs = new ArrayList<>();
        for (Path dir : List.of(shared.resolve("text/en"), shared.resolve("dedup/gutenberg-versions"))) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.sorted().toList()) {
                    docs.add(new Doc(dir.getFileName() + "/" + f.getFileName(), "file:" + f, 0L, "en",
                            DedupFixtures.read(f)));
                }
            }
        }
        assertEquals(8, docs.size());
        Map<String, String> rep = checkAgainstBruteForce(docs, DedupConfig.defaults());
        assertEquals(rep.get("en/moby-2701-0.txt"), rep.get("gutenberg-versions/moby-old-moby10b.txt"));
        assertEquals(rep.get("en/alice-11-0.txt"), rep.get("gutenberg-versions/alice-11.txt"));
        assertEquals(rep.get("en/pp-1342-0.txt"), rep.get("gutenberg-versions/pp-1342.txt"));
        assertEquals(4, rep.values().stream().distinct().count(), "four books: " + new TreeMap<>(rep));
    }

    @Test
    void licenceFamiliesAreNearDuplicates() {
        Map<String, byte[]> tar = DedupFixtures.tar(DedupFixtures.shared().resolve(
                "dedup/debian-common-licenses.tar.gz"));
        List<Doc> docs = new ArrayList<>();
        tar.forEach((name, bytes) -> {
            if (bytes != null && bytes.length > 0) {
                String id = name.substring(name.lastIndexOf('/') + 1);
                docs.add(new Doc(id, "file:" + id, 0L, "en", new String(bytes, StandardCharsets.UTF_8)));
            }
        });
        assertEquals(17, docs.size());
        Map<String, String> rep = checkAgainstBruteForce(docs, DedupConfig.defaults());
        assertEquals(rep.get("GFDL-1.2"), rep.get("GFDL-1.3"), "GFDL 1.2 ~ 1.3 (Jaccard 0.85)");
        assertEquals(rep.get("LGPL-2"), rep.get("LGPL-2.1"), "LGPL 2 ~ 2.1 (Jaccard 0.72)");
        assertEquals(rep.get("GPL"), rep.get("GPL-3"));
        assertFalse(rep.get("GPL-1").equals(rep.get("GPL-2")), "GPL 1 vs 2 (Jaccard 0.46) stay apart");
        assertEquals(12, rep.values().stream().distinct().count(), new TreeMap<>(rep).toString());
    }

    @Test
    void chineseNearDuplicatesNeedCharacterShingles() {
        List<String> poems = DedupFixtures.chinesePoems(900);
        List<Doc> docs = new ArrayList<>();
        List<String> originals = new ArrayList<>();
        for (int i = 0; i + 3 <= poems.size(); i += 3) {
            originals.add(String.join("\n", poems.subList(i, i + 3)));
        }
        // substitution characters taken from the corpus itself
        String alphabet = String.join("", poems.subList(0, 50)).replaceAll("[，。、？！；：\\s]", "");
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < originals.size(); i++) {
            // half labelled zh, half unlabelled (the script decides)
            docs.add(new Doc(String.format("zo%04d", i), "http://zh/" + i, 0L, i % 2 == 0 ? "zh" : null,
                    originals.get(i)));
        }
        int planted = 0;
        for (int i = 0; i < originals.size(); i += 3) {
            StringBuilder b = new StringBuilder();
            String o = originals.get(i);
            double p = (i / 3) % 2 == 0 ? 0.01 : 0.02;
            for (int k = 0; k < o.length(); k++) {
                char c = o.charAt(k);
                b.append(r.nextDouble() < p && Character.isLetter(c)
                        ? alphabet.charAt(r.nextInt(alphabet.length())) : c);
            }
            b.append("。（转载）");
            docs.add(new Doc(String.format("zc%04d", i), "http://zc/" + i, 0L, i % 2 == 0 ? "zh" : null,
                    b.toString()));
            planted++;
        }
        DedupConfig config = DedupConfig.defaults().withStages(false, false, true);
        Map<String, String> rep = checkAgainstBruteForce(docs, config);
        int found = 0;
        for (int i = 0; i < originals.size(); i += 3) {
            found += rep.get(String.format("zc%04d", i)).equals(rep.get(String.format("zo%04d", i))) ? 1 : 0;
        }
        System.out.printf("chinese: %d originals, %d planted copies, %d found with character 5-grams%n",
                originals.size(), planted, found);
        assertTrue(found >= planted * 0.98, found + " of " + planted);

        // the same documents labelled "en": word shingles see one "word" per clause and miss most copies
        List<Doc> asWords = docs.stream().map(d -> new Doc(d.id(), d.url(), 0L, "en", d.text())).toList();
        Map<String, String> wordRep = DedupQualityTest.representatives(
                new Deduplicator(config).apply(DedupFixtures.documents(spark, asWords)));
        int wordFound = 0;
        for (int i = 0; i < originals.size(); i += 3) {
            wordFound += wordRep.get(String.format("zc%04d", i)).equals(wordRep.get(String.format("zo%04d", i)))
                    ? 1 : 0;
        }
        System.out.printf("chinese with word 5-grams: %d of %d found%n", wordFound, planted);
        assertTrue(wordFound < found / 2, "word shingles should miss Chinese near duplicates: " + wordFound);
    }
}
