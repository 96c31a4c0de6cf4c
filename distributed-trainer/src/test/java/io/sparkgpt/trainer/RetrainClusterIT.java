package io.sparkgpt.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.spark.testing.LocalCluster;
import io.sparkgpt.spark.testing.Scripts;
import io.sparkgpt.spark.testing.SharedLocalCluster;
import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.BpeTrainer;
import io.sparkgpt.tokenizer.PreTokenizer;
import io.sparkgpt.tokenizer.TokenizerFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The retraining loop for real: {@code deploy/retrain/retrain.sh} with both shaded job jars. A seed model (made in
 * this JVM); on a standalone cluster (Master + 2 Workers on 127.0.0.1) a first crawl, interrupted after preprocess,
 * resumed and promoted by a lenient gate through the whole loop, then rolled back and forward (pointer swaps, no
 * Spark). In local mode, since what they add is the loop's logic and the cluster cycle already ran every job on 2
 * workers: a second crawl repeating part of the first (its dedup drops the repeats against the first's index, its
 * pretraining replays earlier tokens, a strict gate refuses it) and the first crawl again (no new documents: ends
 * cleanly); and a state without a model (a clear error, before any Spark). Five spark-submits on the cluster, seven
 * local (it was ten and two: each cluster submit pays a driver and two executor JVMs).
 * Needs data-pipeline's and distributed-trainer's job jars ({@code mvn verify -pl data-pipeline,distributed-trainer
 * -am}).
 */
@ExtendWith(SharedLocalCluster.class)
class RetrainClusterIT {
    static final Duration LIMIT = Duration.ofMinutes(15);
    @TempDir
    static Path tmp;
    static LocalCluster cluster;
    static Path jars;

    @BeforeAll
    static void setUp(LocalCluster shared) throws Exception {
        jars = Files.createDirectories(tmp.resolve("jars"));
        for (String m : List.of("data-pipeline", "distributed-trainer")) {
            Path built = Scripts.jobJar(m);
            Files.copy(built, jars.resolve(built.getFileName()));
        }
        cluster = shared;
    }

    /** JSONL crawl files of Alice, docs [from, to) of ~150 words, one line each, 20 a file. */
    static List<Path> crawl(String name, int from, int to, String... extra) throws Exception {
        String text = Files.readString(Path.of(System.getProperty("sparkgpt.test.data"))
                .resolve("text/en/alice-11-0.txt"), StandardCharsets.UTF_8);
        String[] w = text.substring(text.indexOf("CHAPTER I.")).split("\\s+");
        List<Path> files = new ArrayList<>();
        Path dir = Files.createDirectories(tmp.resolve("crawl").resolve(name));
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to; i++) {
            String doc = String.join(" ", List.of(w).subList(i * 150, i * 150 + 150)) + ".";
            b.append(Json.writeLine(Map.of("url", "http://alice.example/" + i, "text", doc))).append('\n');
            if ((i - from) % 20 == 19 || i == to - 1) {
                for (String e : extra) {
                    b.append(e);
                }
                extra = new String[0];
                Path f = dir.resolve(String.format("part-%03d.jsonl", i / 20));
                Files.writeString(f, b.toString());
                files.add(f);
                b.setLength(0);
            }
        }
        return files;
    }

    /**
     * The first model in service, {@code dir/model.ckpt}, {@code dir/tokenizer} and {@code dir/val}: what the
     * pretraining pipeline would hand over, built here directly because it is not part of the cycle under test.
     */
    static Path seed(Path dir, List<Path> crawl) throws Exception {
        List<String> docs = new ArrayList<>();
        for (Path f : crawl) {
            for (String line : Files.readAllLines(f)) {
                docs.add(Json.mapper().readTree(line).get("text").asText());
            }
        }
        PreTokenizer pre = PreTokenizer.fromId("gpt2");
        BpeTokenizer bpe = new BpeTrainer(BpeTrainer.Config.of(384, pre)).train(BpeTrainer.countWords(docs, pre))
                .tokenizer();
        TokenizerFiles.save(bpe, Files.createDirectories(dir.resolve("tokenizer")));
        GPTConfig shape = new GPTConfig(bpe.vocabSize(), 32, 1, 2, 32, 0.0, false, true);
        Storage storage = Storage.local();
        Checkpoint.of(GPT.create(shape, 7), TrainConfig.defaults(), 0, List.of(), Double.MAX_VALUE, 0,
                Map.of("trainer", "RetrainClusterIT seed")).save(storage, dir.resolve("model.ckpt").toString());
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < docs.size(); i += 3) { // every third document: the seed's held-out set
            List<Integer> ids = new ArrayList<>();
            for (int t : bpe.encodeDocument(docs.get(i))) {
                ids.add(t);
            }
            rows.add(RowFactory.create(String.format("seed-%04d", i), ids.size(), ids));
        }
        StructType schema = new StructType().add("doc_id", DataTypes.StringType, false)
                .add("n_tokens", DataTypes.IntegerType, false)
                .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType, false), false);
        SparkSession spark = SparkSession.builder().master("local[1]").appName("retrain-it-seed")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            spark.createDataFrame(rows, schema).coalesce(1).write().parquet(dir.resolve("val").toString());
        } finally {
            spark.stop();
        }
        return dir;
    }

    /** retrain.sh on the cluster. */
    static Scripts.Result retrain(Path state, String... args) {
        return retrain(cluster.masterUrl(), state, args);
    }

    static Scripts.Result retrain(String master, Path state, String... args) {
        List<String> a = new ArrayList<>(List.of("--state", state.toString(), "--master", master,
                "--pretrain-args", "--workers 2 --max-rounds 2 --local-steps 4 --batch-size 4 --warmup 2 "
                        + "--lr 1e-3 --eval-windows 8 --checkpoint-every 1",
                "--tokenize-args", "--val-fraction 0.3"));
        a.addAll(List.of(args));
        long t0 = System.nanoTime();
        Scripts.Result r = Scripts.run(Scripts.projectRoot().resolve("deploy/retrain/retrain.sh"), a,
                Map.of("SPARKGPT_JARS", jars.toString()), LIMIT);
        // the time of each call, for the suite's time budget (failsafe's report has only the total)
        System.out.printf("RetrainClusterIT: retrain.sh %s on %s: %.1f s%n", String.join(" ", args), master,
                (System.nanoTime() - t0) / 1e9);
        return r;
    }

    static void ok(Scripts.Result r) {
        assertEquals(0, r.exitCode(), r.output());
    }

    static JsonNode json(Path p) throws Exception {
        return Json.mapper().readTree(Files.readString(p));
    }

    @Test
    void twoCyclesGateRollbackAndBadInput() throws Exception {
        // no model in service: one clear line, exit 2
        Scripts.Result none = retrain(tmp.resolve("empty-state"), "--crawl", tmp.toString());
        assertEquals(2, none.exitCode(), none.output());
        assertTrue(none.stderr().contains("no promoted model"), none.stderr());

        // the seed, made in this JVM (not a cycle step, so no spark-submit): a BPE tokenizer of its own crawl, an
        // untrained tiny GPT of that vocabulary and the crawl's validation tokens
        Path seed = seed(tmp.resolve("seed"), crawl("seed", 0, 40));
        Path state = tmp.resolve("state");
        ok(retrain(state, "--seed", "--model", seed.resolve("model.ckpt").toString(), "--tokenizer",
                seed.resolve("tokenizer").toString(), "--val", seed.resolve("val").toString()));
        Path models = state.resolve("models");
        assertEquals("gen-000000", Files.readSymbolicLink(models.resolve("current")).toString());

        // cycle 1, on the cluster: a new crawl, interrupted after preprocess, then resumed; a lenient gate: promoted
        List<Path> a = crawl("a", 40, 80);
        String[] aArgs = {"--crawl", a.get(0).getParent().toString(), "--max-old-regression", "100",
                "--min-new-gain", "-100"};
        List<String> first = new ArrayList<>(List.of(aArgs));
        first.addAll(List.of("--step", "preprocess"));
        ok(retrain(state, first.toArray(String[]::new)));
        assertTrue(Files.exists(state.resolve("cycles/gen-000001/preprocess/_SUCCESS")));
        assertFalse(Files.exists(state.resolve("cycles/gen-000001/dedup")));
        assertFalse(Files.exists(state.resolve("cycles/gen-000001/outcome.json")));
        Scripts.Result resumed = retrain(state, aArgs);
        ok(resumed);
        assertTrue(resumed.stderr().contains("step preprocess: complete, skipped"), resumed.stderr());
        assertEquals("gen-000001", Files.readSymbolicLink(models.resolve("current")).toString());
        assertEquals("gen-000000", Files.readSymbolicLink(models.resolve("previous")).toString());
        assertEquals("promoted", json(state.resolve("cycles/gen-000001/outcome.json")).get("status").asText());
        assertTrue(json(state.resolve("cycles/gen-000001/eval.json")).get("promote").asBoolean());
        JsonNode lineage = json(models.resolve("gen-000001/lineage.json"));
        assertEquals(2, lineage.get("crawl_files").asInt());
        assertTrue(lineage.get("documents_new").asLong() > 20, lineage.toString());
        assertTrue(lineage.get("tokens").asLong() > 1000, lineage.toString());
        Scripts.Result files = retrain(state, "--lineage");
        ok(files);
        assertEquals(List.of(a.get(0).toString(), a.get(1).toString()), files.stdout().trim().lines().toList());
        // its training tokens, which a later --mix-earlier replays
        assertEquals(List.of(state.resolve("cycles/gen-000001/data/tokens/train").toString()),
                Files.readAllLines(models.resolve("gen-000001/train-tokens.txt")));
        assertFalse(json(state.resolve("cycles/gen-000001/run/run.json")).has("mix_earlier"));

        // rollback and forward again (a rollback is a pointer swap)
        ok(retrain(state, "--rollback"));
        assertEquals("gen-000000", Files.readSymbolicLink(models.resolve("current")).toString());
        Scripts.Result twice = retrain(state, "--rollback");
        assertEquals(2, twice.exitCode(), twice.output());
        // re-seat cycle 1's model by hand as an operator would, through the same pointer
        Files.delete(models.resolve("current"));
        Files.createSymbolicLink(models.resolve("current"), Path.of("gen-000001"));
        Files.writeString(models.resolve("history"), "gen-000000\ngen-000001\n");

        // cycle 2, in local mode (what it adds is retrain.sh's and the jobs' logic, which the cluster cycle above
        // already ran on 2 workers): the second file of crawl a again, a copy of one of its texts under another url,
        // and new text; dedup against cycle 1's index drops the repeats; pretraining replays a third of its tokens
        // from cycle 1's; a strict gate refuses it
        String copy = Files.readString(a.get(0)).lines().skip(3).findFirst().orElseThrow()
                .replace("http://alice.example/", "http://mirror.example/");
        List<Path> b = crawl("b", 80, 100, copy + "\n");
        Path bCrawl = Files.createDirectories(tmp.resolve("crawl/b2"));
        Files.copy(b.get(0), bCrawl.resolve("new.jsonl"));
        ok(retrain("local[2]", state, "--crawl", a.get(1).toString(), bCrawl.resolve("new.jsonl").toString(),
                "--min-new-gain", "100", "--mix-earlier", "0.33"));
        JsonNode dedup = json(state.resolve("cycles/gen-000002/dedup/stats.json")).get("steps").get(0);
        // every document of the repeated file that passes preprocess is seen before (the same records; the quality
        // filters drop the same few of its 20 both times: 14 are left in the CI run), the copied text is a
        // duplicate of the first crawl's, the rest is new; nothing else is dropped
        JsonNode dropped = dedup.get("droppedByReason");
        long seen = dropped.get("seen_before").asLong();
        assertTrue(seen >= 10 && seen <= 20, dedup.toString());
        assertEquals(1, dropped.get("exact_content").asLong(), dedup.toString());
        assertTrue(dedup.get("documentsKept").asLong() >= 15, dedup.toString());
        assertEquals(dedup.get("documentsIn").asLong(), dedup.get("documentsKept").asLong() + seen + 1
                + dropped.get("exact_url").asLong() + dropped.get("near_duplicate").asLong(), dedup.toString());
        JsonNode mix = json(state.resolve("cycles/gen-000002/run/run.json")).get("mix_earlier");
        assertEquals(state.resolve("cycles/gen-000001/data/tokens/train").toString(),
                mix.get("folders").get(0).asText(), mix.toString());
        assertTrue(mix.get("earlier_tokens").asLong() > 0, mix.toString());
        JsonNode eval = json(state.resolve("cycles/gen-000002/eval.json"));
        assertFalse(eval.get("promote").asBoolean(), eval.toString());
        assertTrue(eval.get("reason").asText().startsWith("new-set loss"), eval.toString());
        assertEquals("refused", json(state.resolve("cycles/gen-000002/outcome.json")).get("status").asText());
        assertEquals("gen-000001", Files.readSymbolicLink(models.resolve("current")).toString());

        // the first crawl again (in local mode, as cycle 2): nothing new, the cycle ends after dedup, nothing promoted
        ok(retrain("local[2]", state, "--crawl", a.get(0).getParent().toString()));
        assertEquals("no_new_documents",
                json(state.resolve("cycles/gen-000003/outcome.json")).get("status").asText());
        assertFalse(Files.exists(state.resolve("cycles/gen-000003/run")));
        assertEquals("gen-000001", Files.readSymbolicLink(models.resolve("current")).toString());
        // the index grew by one generation per crawl that reached dedup
        for (String g : List.of("gen-000001", "gen-000002", "gen-000003")) {
            assertTrue(Files.exists(state.resolve("dedup-index").resolve(g).resolve("_SUCCESS")), g);
        }
        assertEquals(4, Files.readAllLines(state.resolve("cycles.jsonl")).size());
    }
}
