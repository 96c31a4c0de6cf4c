package io.sparkgpt.trainer.dl4jspark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.trainer.PretrainJob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code PretrainJob --engine dl4j-spark} in local[2]: dl4j-spark's ParameterAveragingTrainingMaster trains the DL4J
 * graph of a tiny GPT for 3 averaging rounds on token Parquet made from real text, and the loss falls.
 */
class Dl4jSparkPretrainJobTest {
    @TempDir
    Path tmp;

    /** Byte-level tokens (EOT 256) of the first 24 KB of tinyshakespeare, in the tokens contract, 8 documents. */
    private static void writeTokens(Path out) throws Exception {
        byte[] text = Files.readAllBytes(io.sparkgpt.trainer.TestTokens.sharedText("en/tinyshakespeare-input.txt"));
        int docBytes = 3000;
        List<Row> train = new ArrayList<>(), val = new ArrayList<>();
        for (int d = 0; d < 8; d++) {
            List<Integer> toks = new ArrayList<>();
            for (int i = d * docBytes; i < (d + 1) * docBytes; i++) {
                toks.add(text[i] & 0xff);
            }
            toks.add(256);
            Row r = RowFactory.create(String.format("doc-%02d", d), toks.size(), toks);
            (d == 7 ? val : train).add(r);
        }
        StructType schema = new StructType().add("doc_id", DataTypes.StringType, false)
                .add("n_tokens", DataTypes.IntegerType, false)
                .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType, false), false);
        SparkSession spark = SparkSession.builder().master("local[2]").appName("dl4j-spark-test-tokens")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            spark.createDataFrame(train, schema).repartition(2).write().mode(SaveMode.Overwrite)
                    .parquet(out.resolve("train").toString());
            spark.createDataFrame(val, schema).write().mode(SaveMode.Overwrite).parquet(out.resolve("val").toString());
        } finally {
            spark.stop();
        }
    }

    @Test
    void parameterAveragingRoundsLowerTheLoss() throws Exception {
        Path tokens = tmp.resolve("tokens");
        writeTokens(tokens);
        Path run = tmp.resolve("run");
        System.setProperty("spark.master", "local[2]");
        try {
            int rc = Cli.execute(new PretrainJob(), "--engine", "dl4j-spark", "--data", tokens.toString(),
                    "--output", run.toString(), "--n-layer", "1", "--n-head", "2", "--n-embd", "32",
                    "--block-size", "16", "--batch-size", "8", "--local-steps", "4", "--workers", "2",
                    "--max-rounds", "3", "--lr", "1e-2", "--min-lr", "1e-3", "--warmup", "0", "--eval-every", "1",
                    "--eval-windows", "32", "--checkpoint-every", "2", "--seed", "7",
                    "--outer-optimizer", "nesterov");
            assertEquals(0, rc);
        } finally {
            System.clearProperty("spark.master");
        }
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"), StandardCharsets.UTF_8);
        assertEquals(3, lines.size(), "one metrics line per averaging round");
        JsonNode first = Json.mapper().readTree(lines.get(0)), last = Json.mapper().readTree(lines.get(2));
        double lnV = Math.log(257);
        assertTrue(first.get("train_loss").asDouble() < lnV + 0.5, "first round's loss starts near ln(257): " + first);
        assertTrue(last.get("train_loss").asDouble() < first.get("train_loss").asDouble() - 0.3,
                "training loss falls over the rounds: " + first + " -> " + last);
        assertTrue(last.get("val_loss").asDouble() < first.get("val_loss").asDouble() - 0.2,
                "validation loss falls over the rounds: " + first + " -> " + last);
        assertEquals(3L * 2 * 4 * 8 * 16, last.get("tokens_seen").asLong());
        assertTrue(Files.exists(run.resolve("checkpoints/round-000002/graph.zip")));
        assertTrue(Files.exists(run.resolve("model/_SUCCESS")));
        Checkpoint ckpt = Checkpoint.load(Storage.local(), run.resolve("model/model.ckpt").toString());
        assertEquals(257, ckpt.config().vocabSize());
        assertEquals(12, ckpt.step());
    }
}
