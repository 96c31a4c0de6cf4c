package io.sparkgpt.trainer.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.common.cli.Cli;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * generate.sh on a standalone cluster (Master + 2 Workers on 127.0.0.1) gives the same completions, row for row, as
 * the same job on one JVM (in-process, local[1]), and counts the bad rows. Needs distributed-trainer's job jar.
 */
@ExtendWith(SharedLocalCluster.class)
class BatchInferenceClusterIT {
    static final Duration LIMIT = Duration.ofMinutes(5);
    @TempDir
    static Path tmp;
    static LocalCluster cluster;
    static Path jars;

    @BeforeAll
    static void setUp(LocalCluster shared) throws Exception {
        jars = Files.createDirectories(tmp.resolve("jars"));
        Path built = Scripts.jobJar("distributed-trainer");
        Files.copy(built, jars.resolve(built.getFileName()));
        cluster = shared;
    }

    @Test
    void twoWorkersGiveTheOneMachineOutputRowForRow() throws Exception {
        String corpus = "the cat sat on the mat. a dog ran in the park. ".repeat(30);
        BpeTokenizer tok = new BpeTrainer(BpeTrainer.Config.of(300, PreTokenizer.GPT2))
                .train(BpeTrainer.countWords(List.of(corpus), PreTokenizer.GPT2)).tokenizer();
        Path run = tmp.resolve("run");
        TokenizerFiles.save(tok, run.resolve("tokenizer"));
        GPT gpt = GPT.create(new GPTConfig(tok.vocabSize(), 32, 1, 2, 16, 0, false, true), 3);
        Checkpoint.of(gpt, TrainConfig.defaults(), 0, List.of(), Double.MAX_VALUE, 0, Map.of())
                .save(Storage.local(), run.resolve("model/model.ckpt").toString());
        gpt.close();
        StringBuilder in = new StringBuilder();
        String[] starts = {"the cat", "a dog ran", "the park", "on the mat"};
        for (int i = 0; i < 40; i++) {
            in.append(Json.writeLine(Map.of("prompt", starts[i % 4]))).append('\n');
        }
        in.append("{\"prompt\": \"\"}\n{\"id\": 3}\n{\"prompt\": \"").append("the dog ran in the park ".repeat(10))
                .append("\"}\n");
        Path input = tmp.resolve("prompts.jsonl");
        Files.writeString(input, in.toString());

        List<String> common = List.of("--model", run.toString(), "--input", input.toString(), "--max-new-tokens",
                "8", "--temperature", "1.0", "--top-k", "0");
        List<String> onCluster = new ArrayList<>(List.of("--master", cluster.masterUrl(), "--"));
        onCluster.addAll(common);
        onCluster.addAll(List.of("--output", tmp.resolve("cluster-out").toString(), "--partitions", "4",
                "--batch-size", "8"));
        Scripts.Result r = Scripts.run(Scripts.script("generate.sh"), onCluster,
                Map.of("SPARKGPT_JARS", jars.toString()), LIMIT);
        assertEquals(0, r.exitCode(), r.output());
        // the one-machine reference runs the same job class in this JVM (local[1], one partition): a second
        // generate.sh submit cost a driver JVM and a Spark start more and proved nothing the cluster run does not
        List<String> local = new ArrayList<>(common);
        local.addAll(List.of("--output", tmp.resolve("local-out").toString(), "--partitions", "1"));
        // the job's session reads its master from system properties; put them back after (one JVM runs every IT)
        Map<String, String> was = new java.util.HashMap<>();
        for (String k : List.of("spark.master", "spark.ui.enabled")) {
            was.put(k, System.getProperty(k));
        }
        System.setProperty("spark.master", "local[1]");
        System.setProperty("spark.ui.enabled", "false");
        try {
            assertEquals(0, Cli.execute(new GenerateJob(), local.toArray(String[]::new)));
            // the job stopped its own session: a fresh one reads both outputs
            SparkSession spark = SparkSession.builder().master("local[1]").appName("read").getOrCreate();
            try {
                List<String> c = rows(spark, tmp.resolve("cluster-out/completions"));
                assertEquals(40, c.size());
                assertEquals(rows(spark, tmp.resolve("local-out/completions")), c);
            } finally {
                spark.stop();
            }
        } finally {
            was.forEach((k, v) -> {
                if (v == null) {
                    System.clearProperty(k);
                } else {
                    System.setProperty(k, v);
                }
            });
        }
        JsonNode stats = Json.mapper().readTree(tmp.resolve("cluster-out/stats.json").toFile());
        assertEquals(43, stats.get("rows").asLong());
        assertEquals(1, stats.get("errors").get("empty_prompt").asLong());
        assertEquals(1, stats.get("errors").get("missing_column").asLong());
        assertEquals(1, stats.get("errors").get("prompt_too_long").asLong());
        assertTrue(Files.exists(tmp.resolve("cluster-out/_SUCCESS")));
    }

    static List<String> rows(SparkSession spark, Path dir) {
        List<String> out = new ArrayList<>();
        for (Row r : spark.read().parquet(dir.toString()).orderBy("row").collectAsList()) {
            out.add(r.getAs("row") + "\t" + r.getAs("prompt") + "\t" + r.getAs("completion"));
        }
        return out;
    }
}
