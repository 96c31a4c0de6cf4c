package io.sparkgpt.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.ConfigFile;
import io.sparkgpt.trainer.posttrain.SftJob;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The trainer jobs take --config best.json (the tuner's output) with the same keys as their flags; no Spark. */
class JobConfigFileTest {
    @TempDir
    Path dir;

    @Test
    void pretrainOptionsTakeTheFilesValuesAndFlagsWin() throws Exception {
        Path best = dir.resolve("best.json");
        Files.writeString(best, "{\"lr\": 0.003, \"batch-size\": 16, \"warmup\": 10, \"n-layer\": 3, \"local-steps\": 4, "
                + "\"outer-optimizer\": \"nesterov\", \"resume\": true}");
        PretrainJob job = new PretrainJob();
        new CommandLine(job).setCaseInsensitiveEnumValuesAllowed(true)
                .setDefaultValueProvider(ConfigFile.read(best.toString()))
                .parseArgs("--data", "d", "--output", "o", "--config", best.toString(), "--warmup", "5");
        assertEquals(0.003, job.o.opt.lr);
        assertEquals(16, job.o.opt.batchSize);
        assertEquals(5, job.o.opt.warmup); // the flag wins
        assertEquals(3, job.o.shape.nLayer);
        assertEquals(2, job.o.shape.nHead); // not in the file: pretraining's own default
        assertEquals(4, job.o.round.localSteps);
        assertEquals(OuterOptimizer.Kind.NESTEROV, job.outerOptimizer);
        assertTrue(job.o.run.resume);
    }

    @Test
    void unknownKeyIsAUsageErrorBeforeTheJobStarts() throws Exception {
        Path best = dir.resolve("best.json");
        Files.writeString(best, "{\"lr\": 0.001, \"learning_rate\": 0.1}");
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Cli.execute(new SftJob(), "--init", "m.ckpt", "--tokenizer", "t", "--train", "x.jsonl",
                    "--output", dir.resolve("run").toString(), "--config", best.toString());
        } finally {
            System.setErr(old);
        }
        String err = buf.toString(StandardCharsets.UTF_8);
        assertEquals(Cli.EXIT_USAGE, code, err);
        assertTrue(err.contains(best.toString()) && err.contains("'learning_rate'"), err);
    }
}
