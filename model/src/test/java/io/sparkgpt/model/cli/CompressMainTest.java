package io.sparkgpt.model.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.TrainLoop;
import io.sparkgpt.model.infer.ModelFile;
import io.sparkgpt.model.infer.ModelWeights;
import io.sparkgpt.model.infer.Precision;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompressMainTest {

    static String compress(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            return Cli.execute(new CompressMain(), args) + "\n" + buf.toString(StandardCharsets.UTF_8);
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void quantizeAndPruneWriteModelsThatSampleLoads(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("t.txt");
        Files.writeString(text, "to be or not to be, that is the question.\n".repeat(40));
        String run = dir.resolve("run").toString();
        String r = GptMainTest.run(GptMainTest.concat(new String[] {"--n-layer", "2", "--n-head", "4", "--n-embd",
            "32", "--block-size", "16", "--batch-size", "4", "--eval-interval", "3", "--eval-steps", "1", "--warmup",
            "2"}, "train", "--data", text.toString(), "--out", run, "--max-steps", "4"));
        assertTrue(r.startsWith("0\n"), r);
        String ckpt = run + "/" + TrainLoop.CHECKPOINT;
        Storage st = Storage.local();

        String q = dir.resolve("m.int8").toString();
        r = compress("quantize", "--checkpoint", ckpt, "--out", q);
        assertTrue(r.startsWith("0\n"), r);
        ModelFile mf = ModelFile.load(st, q);
        assertEquals(Precision.INT8, mf.precision());
        assertTrue(mf.meta().containsKey("char_vocab"), "the character vocabulary travels with the model");
        r = GptMainTest.run("sample", "--checkpoint", q, "--prompt", "to be", "--max-tokens", "8");
        assertTrue(r.startsWith("0\n") && r.length() > 10, r);

        String mag = dir.resolve("mag.ckpt").toString();
        r = compress("prune", "--checkpoint", ckpt, "--out", mag, "--sparsity", "0.5", "--finetune-data",
                text.toString(), "--finetune-steps", "3", "--batch-size", "2", "--eval-data", text.toString());
        assertTrue(r.startsWith("0\n") && r.contains("after fine-tune"), r);
        Checkpoint pc = Checkpoint.load(st, mag);
        float[] qkv = ModelWeights.of(pc).get("h.0.attn.qkv.w");
        long zeros = 0;
        for (float v : qkv) {
            zeros += v == 0f ? 1 : 0;
        }
        assertEquals(qkv.length / 2, zeros, "half of the layer pruned, still zero after the fine-tune");
        assertTrue(GptMainTest.run("sample", "--checkpoint", mag, "--max-tokens", "4").startsWith("0\n"));

        String st2 = dir.resolve("small.model").toString();
        r = compress("prune", "--checkpoint", ckpt, "--out", st2, "--method", "structured", "--heads", "0.5",
                "--neurons", "0.5", "--int8");
        assertTrue(r.startsWith("0\n"), r);
        ModelFile small = ModelFile.load(st, st2);
        assertArrayEquals(new int[] {2, 2}, small.shape().heads());
        assertArrayEquals(new int[] {64, 64}, small.shape().mlpWidths());
        assertTrue(GptMainTest.run("sample", "--checkpoint", st2, "--max-tokens", "4").startsWith("0\n"));

        assertTrue(compress("prune", "--checkpoint", ckpt, "--out", st2, "--method", "random").startsWith("2\n"));
        assertTrue(compress("prune", "--checkpoint", ckpt, "--out", st2, "--sparsity", "1.5").startsWith("2\n"));
        assertTrue(compress("quantize", "--checkpoint", dir.resolve("none").toString(), "--out", q)
                .startsWith("2\n"));
    }
}
