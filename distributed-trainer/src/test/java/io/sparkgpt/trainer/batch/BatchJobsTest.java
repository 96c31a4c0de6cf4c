package io.sparkgpt.trainer.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.Sampler;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.model.infer.InferenceModel;
import io.sparkgpt.model.infer.Perplexity;
import io.sparkgpt.model.infer.Precision;
import io.sparkgpt.spark.Sessions;
import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.BpeTrainer;
import io.sparkgpt.tokenizer.PreTokenizer;
import io.sparkgpt.tokenizer.TokenizerFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * generate and score in local mode on a tiny untrained model: the same rows whatever the partitioning and batch
 * composition, bad rows named and counted, a missing column refused, the score equal to a direct computation.
 */
class BatchJobsTest {
    static final String CORPUS = "the cat sat on the mat. a dog ran in the park. ".repeat(30);
    @TempDir
    static Path tmp;
    static Path ckpt;
    static Path tdir;
    static BpeTokenizer tok;

    @BeforeAll
    static void model() {
        tok = new BpeTrainer(BpeTrainer.Config.of(300, PreTokenizer.GPT2))
                .train(BpeTrainer.countWords(List.of(CORPUS), PreTokenizer.GPT2)).tokenizer();
        tdir = tmp.resolve("tok");
        TokenizerFiles.save(tok, tdir);
        GPT gpt = GPT.create(new GPTConfig(tok.vocabSize(), 16, 1, 2, 16, 0, false, true), 7);
        ckpt = tmp.resolve("m/model.ckpt");
        Checkpoint.of(gpt, TrainConfig.defaults(), 0, List.of(), Double.MAX_VALUE, 0, Map.of())
                .save(Storage.local(), ckpt.toString());
        gpt.close();
    }

    @Test
    void aRowsCompletionDoesNotDependOnItsBatch() {
        try (InferenceModel m = InferenceModel.load(ckpt.toString(), Precision.FLOAT32)) {
            Sampler.Options o = new Sampler.Options(8, 1.0, 0, 1.0, 42, -1, true);
            List<int[]> prompts = List.of(tok.encode("the cat"), tok.encode("a dog ran in"), tok.encode("the"));
            int[][] together = BatchDecoder.generate(m, prompts, new long[] {5, 9, 11}, o);
            for (int i = 0; i < 3; i++) {
                int[][] alone = BatchDecoder.generate(m, List.of(prompts.get(i)), new long[] {new long[] {5, 9, 11}[i]}, o);
                assertArrayEquals(alone[0], together[i], "row " + i);
                assertEquals(8, together[i].length);
            }
            // the row's seed matters: another row number, another draw
            int[][] other = BatchDecoder.generate(m, List.of(prompts.get(0)), new long[] {6}, o);
            assertFalse(java.util.Arrays.equals(other[0], together[0]));
        }
    }

    @Test
    void theModelIsLoadedOncePerJvmAndAgainWhenItsFileChanges() throws Exception {
        ModelSource src = ModelSource.resolve(Storage.local(), ckpt.toString(), tdir.toString(), Precision.FLOAT32);
        ExecutorInference.Loaded a = ExecutorInference.get(src);
        assertTrue(a == ExecutorInference.get(src), "a second task reuses the loaded model");
        ModelSource rewritten = new ModelSource(src.modelPath(), src.version() + "x", src.precision(), src.vocab(),
                src.merges(), src.tokenizerJson(), src.tokenizerDir());
        assertFalse(a == ExecutorInference.get(rewritten), "another file version is loaded again");
    }

    @Test
    void generateIsTheSameRowForRowAcrossPartitionsAndCountsBadRows() throws Exception {
        StringBuilder in = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            in.append("{\"prompt\": \"").append(i % 2 == 0 ? "the cat sat" : "a dog").append("\"}\n");
        }
        in.append("{\"prompt\": \"\"}\n");                                          // row 12: empty
        in.append("{\"prompt\": \"").append("the dog ran in the park ".repeat(5)).append("\"}\n"); // 13: too long
        in.append("{\"other\": \"x\"}\n");                                           // 14: missing column
        in.append("not json at all\n");                                               // 15: corrupt
        Path input = tmp.resolve("prompts.jsonl");
        Files.writeString(input, in.toString());
        List<String> one = generate(input, "g1", "1", "4");
        List<String> three = generate(input, "g3", "3", "3");
        assertEquals(12, one.size());
        assertEquals(one, three);
        assertTrue(one.stream().map(s -> s.split("\t")[2]).distinct().count() > 2, "rows should differ: " + one);

        JsonNode stats = Json.mapper().readTree(tmp.resolve("g3/stats.json").toFile());
        assertEquals(16, stats.get("rows").asLong());
        assertEquals(12, stats.get("kept").asLong());
        JsonNode err = stats.get("errors");
        for (String k : List.of("empty_prompt", "prompt_too_long", "missing_column", "corrupt_record")) {
            assertEquals(1, err.get(k).asLong(), k + " in " + err);
        }
        assertEquals(12L * 6, stats.get("new_tokens").asLong());
        String errors = readDir(tmp.resolve("g3/errors"));
        for (String r : List.of("\"row\":12,\"error\":\"empty_prompt\"", "\"row\":13,\"error\":\"prompt_too_long\"",
                "\"row\":14,\"error\":\"missing_column\"", "\"row\":15,\"error\":\"corrupt_record\"")) {
            assertTrue(errors.contains(r), r + " not in " + errors);
        }
        assertTrue(Files.exists(tmp.resolve("g3/_SUCCESS")));
        // complete: a re-run leaves it alone
        assertEquals(0, Cli.execute(new GenerateJob(), new String[] {"--model", ckpt.toString(), "--tokenizer",
            tdir.toString(), "--input", input.toString(), "--output", tmp.resolve("g3").toString()}));
        // a column the input does not have: one line, exit 2
        assertEquals(Cli.EXIT_USAGE, Cli.execute(new GenerateJob(), new String[] {"--model", ckpt.toString(),
            "--tokenizer", tdir.toString(), "--input", input.toString(), "--output", tmp.resolve("gx").toString(),
            "--column", "question"}));
    }

    @Test
    void scoreAddsLossAndPerplexityColumns() throws Exception {
        String longDoc = "the cat sat on the mat. a dog ran in the park. ".repeat(4);
        Path input = tmp.resolve("docs.jsonl");
        Files.writeString(input, "{\"url\": \"u0\", \"text\": \"the cat sat on the mat.\"}\n"
                + "{\"url\": \"u1\", \"text\": \"" + longDoc + "\"}\n{\"url\": \"u2\", \"text\": \"\"}\n"
                + "{\"url\": \"u3\"}\n");
        Path out = tmp.resolve("s");
        assertEquals(0, Cli.execute(new ScoreJob(), new String[] {"--model", ckpt.toString(), "--tokenizer",
            tdir.toString(), "--input", input.toString(), "--output", out.toString(), "--partitions", "2"}));
        SparkSession spark = Sessions.getOrCreate("test");
        List<Row> rows;
        try {
            rows = spark.read().parquet(out.resolve("scored").toString()).orderBy("row").collectAsList();
        } finally {
            spark.stop();
        }
        assertEquals(2, rows.size());
        assertEquals("u0", rows.get(0).getAs("url"));
        try (InferenceModel m = InferenceModel.load(ckpt.toString(), Precision.FLOAT32)) {
            int[] t = tok.encode("the cat sat on the mat.");
            float[][] logits = m.logitsAll(java.util.Arrays.copyOf(t, t.length - 1));
            double sum = 0;
            for (int i = 0; i < t.length - 1; i++) {
                sum += Perplexity.crossEntropy(logits[i], t[i + 1]);
            }
            assertEquals(sum / (t.length - 1), (double) rows.get(0).getAs("loss"), 1e-9);
        }
        Row lng = rows.get(1);
        assertTrue((long) lng.getAs("n_tokens") > 16, "longer than the context");
        assertEquals(Math.exp((double) lng.getAs("loss")), (double) lng.getAs("perplexity"), 1e-9);
        assertEquals(Math.log(tok.vocabSize()), (double) lng.getAs("loss"), 1.0);
        JsonNode stats = Json.mapper().readTree(out.resolve("stats.json").toFile());
        assertEquals(1, stats.get("errors").get("empty_text").asLong());
        assertEquals(1, stats.get("errors").get("missing_column").asLong());
    }

    private List<String> generate(Path input, String out, String partitions, String batch) throws Exception {
        assertEquals(0, Cli.execute(new GenerateJob(), new String[] {"--model", ckpt.toString(), "--tokenizer",
            tdir.toString(), "--input", input.toString(), "--output", tmp.resolve(out).toString(), "--partitions",
            partitions, "--batch-size", batch, "--max-new-tokens", "6", "--temperature", "1.0", "--top-k", "0"}));
        SparkSession spark = Sessions.getOrCreate("test");
        try {
            List<String> rows = new ArrayList<>();
            for (Row r : spark.read().parquet(tmp.resolve(out).resolve("completions").toString()).orderBy("row")
                    .collectAsList()) {
                rows.add(r.getAs("row") + "\t" + r.getAs("prompt") + "\t" + r.getAs("completion"));
            }
            return rows;
        } finally {
            spark.stop();
        }
    }

    private static String readDir(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")).map(p -> {
                try {
                    return Files.readString(p);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).collect(Collectors.joining());
        }
    }
}
