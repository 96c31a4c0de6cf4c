package io.sparkgpt.model.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.TrainLoop;
import io.sparkgpt.model.data.TokenBin;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GptMainTest {
    static final String[] TINY = {"--n-layer", "1", "--n-head", "2", "--n-embd", "16", "--block-size", "16",
        "--batch-size", "4", "--micro-batch", "2", "--eval-interval", "3", "--eval-steps", "2", "--warmup", "2",
        "--log-interval", "2"};

    static String run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int code = Cli.execute(new GptMain(), args);
            return code + "\n" + buf.toString(StandardCharsets.UTF_8);
        } finally {
            System.setOut(old);
        }
    }

    static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(b, 0, out, 0, b.length);
        System.arraycopy(a, 0, out, b.length, a.length);
        return out;
    }

    /** gpt train --config best.json: the file's values are the defaults (model shape, optimizer), flags win. */
    @Test
    void trainTakesDefaultsFromConfigFile(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("t.txt");
        Files.writeString(text, "to be or not to be, that is the question.\n".repeat(40));
        Path best = dir.resolve("best.json");
        Files.writeString(best, "{\"n-layer\": 1, \"n-head\": 2, \"n-embd\": 16, \"block-size\": 16, \"lr\": 0.003, "
                + "\"batch-size\": 4, \"warmup\": 1, \"max-steps\": 2, \"eval-steps\": 1}");
        String out = dir.resolve("run").toString();
        String r = run("train", "--data", text.toString(), "--out", out, "--config", best.toString(), "--warmup", "0");
        assertTrue(r.startsWith("0\n"), r);
        Checkpoint c = Checkpoint.load(Storage.local(), out + "/" + TrainLoop.CHECKPOINT);
        assertEquals(1, c.config().nLayer());
        assertEquals(16, c.config().nEmbd());
        assertEquals(0.003, c.train().learningRate());
        assertEquals(4, c.train().batchSize());
        assertEquals(0, c.train().warmupSteps()); // the flag wins over the file
        assertEquals(2, c.train().maxSteps());

        Files.writeString(best, "{\"n-layers\": 1}");
        r = run("train", "--data", text.toString(), "--out", out, "--overwrite", "--config", best.toString());
        assertTrue(r.startsWith("2\n"), r);
    }

    @Test
    void trainEvalSampleOnCharacterText(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("t.txt");
        Files.writeString(text, "to be or not to be, that is the question.\n".repeat(40));
        String out = dir.resolve("run").toString();
        String r = run(concat(TINY, "train", "--data", text.toString(), "--out", out, "--max-steps", "6"));
        assertTrue(r.startsWith("0\n"), r);
        assertTrue(r.contains("val_loss="), r);
        assertTrue(Files.exists(Path.of(out, TrainLoop.CHECKPOINT)));
        assertTrue(Files.exists(Path.of(out, TrainLoop.BEST)));
        assertTrue(Files.readString(Path.of(out, TrainLoop.METRICS)).contains("\"tokens_per_s\""));
        // a second train into the same folder without --resume/--overwrite is refused
        assertTrue(run(concat(TINY, "train", "--data", text.toString(), "--out", out)).startsWith("2\n"));
        // resume continues from step 6 up to 9
        r = run("train", "--data", text.toString(), "--out", out, "--resume", "--max-steps", "9");
        assertTrue(r.startsWith("0\n"), r);
        assertEquals(6, Checkpoint.load(Storage.local(), out + "/" + TrainLoop.CHECKPOINT).step(),
                "the checkpoint's TrainConfig (maxSteps 6) wins over the command line");
        r = run("eval", "--checkpoint", out + "/" + TrainLoop.CHECKPOINT, "--data", text.toString());
        assertTrue(r.startsWith("0\n"), r);
        Map<?, ?> ev = Json.read(r.substring(2).trim(), Map.class);
        double loss = ((Number) ev.get("loss")).doubleValue();
        assertEquals(Math.exp(loss), ((Number) ev.get("perplexity")).doubleValue(), 1e-9);
        assertEquals(loss / Math.log(2), ((Number) ev.get("bits_per_byte")).doubleValue(), 1e-9, "ASCII: 1 byte/char");
        r = run("sample", "--checkpoint", out + "/" + TrainLoop.CHECKPOINT, "--prompt", "to be", "--max-tokens", "20",
                "--seed", "7");
        assertTrue(r.startsWith("0\n"), r);
        assertEquals(r, run("sample", "--checkpoint", out + "/" + TrainLoop.CHECKPOINT, "--prompt", "to be",
                "--max-tokens", "20", "--seed", "7"), "seeded sampling is reproducible");
    }

    @Test
    void trainsOnLlmcBinShards(@TempDir Path dir) {
        int[] toks = new int[3000];
        for (int i = 0; i < toks.length; i++) {
            toks[i] = (i * 7) % 50;
        }
        Storage st = Storage.local();
        TokenBin.write(st, dir.resolve("train.bin").toString(), toks);
        TokenBin.write(st, dir.resolve("val.bin").toString(), java.util.Arrays.copyOf(toks, 600));
        String r = run(concat(TINY, "train", "--data", dir.resolve("train.bin").toString(), "--val-data",
                dir.resolve("val.bin").toString(), "--out", dir.resolve("run").toString(), "--max-steps", "3",
                "--vocab-size", "64"));
        assertTrue(r.startsWith("0\n"), r);
        r = run("eval", "--checkpoint", dir.resolve("run/checkpoint.bin").toString(), "--data",
                dir.resolve("val.bin").toString());
        assertTrue(r.startsWith("0\n") && r.contains("\"perplexity\""), r);
    }

    @Test
    void bpeTokenizedShardsGiveBitsPerByteAndTextSamples(@TempDir Path dir) {
        String text = "the cat sat on the mat. the dog sat on the log. ".repeat(60);
        io.sparkgpt.tokenizer.BpeTokenizer tok = new io.sparkgpt.tokenizer.BpeTrainer(
                io.sparkgpt.tokenizer.BpeTrainer.Config.of(300, io.sparkgpt.tokenizer.PreTokenizer.GPT2))
                .train(io.sparkgpt.tokenizer.BpeTrainer.countWords(java.util.List.of(text),
                        io.sparkgpt.tokenizer.PreTokenizer.GPT2)).tokenizer();
        Path tokDir = dir.resolve("tok");
        io.sparkgpt.tokenizer.TokenizerFiles.save(tok, tokDir);
        int[] ids = tok.encode(text);
        Storage st = Storage.local();
        TokenBin.write(st, dir.resolve("train.bin").toString(), ids);
        String run = dir.resolve("run").toString();
        String r = run(concat(TINY, "train", "--data", dir.resolve("train.bin").toString(), "--out", run,
                "--max-steps", "3", "--tokenizer", tokDir.toString()));
        assertTrue(r.startsWith("0\n"), r);
        assertEquals(tok.vocabSize(), Checkpoint.load(st, run + "/checkpoint.bin").config().vocabSize());
        r = run("eval", "--checkpoint", run + "/checkpoint.bin", "--data", dir.resolve("train.bin").toString());
        assertTrue(r.startsWith("0\n"), r);
        Map<?, ?> ev = Json.read(r.substring(2).trim(), Map.class);
        double bpb = ((Number) ev.get("bits_per_byte")).doubleValue();
        double loss = ((Number) ev.get("loss")).doubleValue();
        // several bytes per BPE token: fewer bits per byte than bits per token
        assertTrue(bpb > 0 && bpb < loss / Math.log(2), "bpb " + bpb + " loss " + loss);
        r = run("sample", "--checkpoint", run + "/checkpoint.bin", "--prompt", "the cat", "--max-tokens", "5",
                "--stop-at-eot");
        assertTrue(r.startsWith("0\n") && !r.contains("["), r);
    }

    @Test
    void badUsageIsExitCode2(@TempDir Path dir) throws Exception {
        assertTrue(run("train", "--data", dir.resolve("missing.txt").toString(), "--out", dir.toString())
                .startsWith("2\n"));
        Path text = dir.resolve("t.txt");
        Files.writeString(text, "abcdefghij".repeat(50));
        assertTrue(run("train", "--data", text.toString(), "--out", dir.resolve("o").toString(), "--n-embd", "10",
                "--n-head", "3").startsWith("2\n"));
        assertTrue(run("train", "--bogus").startsWith("2\n"));
        assertTrue(run().startsWith("2\n"));
        Files.write(dir.resolve("bad.bin"), new byte[100]);
        assertTrue(run("eval", "--checkpoint", dir.resolve("bad.bin").toString(), "--data", text.toString())
                .startsWith("2\n"));
    }
}
