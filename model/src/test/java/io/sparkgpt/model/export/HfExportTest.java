package io.sparkgpt.model.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.model.cli.GptMain;
import io.sparkgpt.model.export.Safetensors.Tensor;
import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.BpeTrainer;
import io.sparkgpt.tokenizer.PreTokenizer;
import io.sparkgpt.tokenizer.TokenizerFiles;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Export to Hugging Face's GPT-2 layout (and llm.c's file) and import back: the same logits bit for bit, GPT-2's
 * tensor names, shapes and transposed Conv1D weights, and clear refusals of what the layout cannot hold.
 */
class HfExportTest {
    @TempDir
    Path tmp;

    /** A tiny GPT whose every parameter (biases, LayerNorms included) is away from its initial value. */
    static GPT model(GPTConfig c, long seed) {
        GPT g = GPT.create(c, seed);
        float[] p = g.params();
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < p.length; i++) {
            p[i] += (float) (r.nextGaussian() * 0.05);
        }
        g.setParams(p);
        return g;
    }

    static int[] context(int n, int vocab) {
        SplittableRandom r = new SplittableRandom(5);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = r.nextInt(vocab);
        }
        return ids;
    }

    static void assertSameLogits(GPT a, GPT b, int[] ids) {
        float[][] x = a.allLogits(ids);
        float[][] y = b.allLogits(ids);
        for (int t = 0; t < x.length; t++) {
            for (int v = 0; v < x[t].length; v++) {
                assertEquals(Float.floatToIntBits(x[t][v]), Float.floatToIntBits(y[t][v]), "logit " + t + "," + v);
            }
        }
    }

    @Test
    void exportThenImportGivesTheSameLogitsBitForBit() {
        for (GPTConfig c : List.of(new GPTConfig(300, 16, 2, 2, 16, 0.0, true, true, false),
                new GPTConfig(300, 16, 2, 4, 16, 0.1, false, false, true))) {
            try (GPT g = model(c, 3)) {
                Path dir = tmp.resolve("hf-" + c.bias() + "-" + c.tiedEmbeddings());
                HfExport.write(g, null, dir);
                try (GPT back = HfGpt2.load(dir)) {
                    assertEquals(c, back.config());
                    assertArrayEquals(g.params(), back.params());
                    assertSameLogits(g, back, context(16, 300));
                }
            }
        }
    }

    @Test
    void gpt2NamesShapesAndTransposedConv1dWeights() throws Exception {
        GPTConfig c = new GPTConfig(300, 16, 2, 2, 16, 0.0, true, true, false);
        try (GPT g = model(c, 4)) {
            Path dir = tmp.resolve("hf");
            HfExport.write(g, null, dir);
            byte[] bytes = Files.readAllBytes(dir.resolve(HfGpt2.WEIGHTS));
            long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(0, (8 + n) % 8, "data 8-byte aligned");
            JsonNode header = Json.mapper().readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
            assertEquals("pt", header.at("/__metadata__/format").asText());
            Map<String, Tensor> t = Safetensors.read(dir.resolve(HfGpt2.WEIGHTS));
            assertEquals(2 + 2 * 12 + 2, t.size(), t.keySet().toString()); // wte, wpe, 12 per block, ln_f; tied head
            assertArrayEquals(new long[] {300, 16}, t.get("transformer.wte.weight").shape());
            assertArrayEquals(new long[] {16, 16}, t.get("transformer.wpe.weight").shape());
            assertArrayEquals(new long[] {16, 48}, t.get("transformer.h.1.attn.c_attn.weight").shape());
            assertArrayEquals(new long[] {48}, t.get("transformer.h.1.attn.c_attn.bias").shape());
            assertArrayEquals(new long[] {16, 64}, t.get("transformer.h.0.mlp.c_fc.weight").shape());
            assertArrayEquals(new long[] {64, 16}, t.get("transformer.h.0.mlp.c_proj.weight").shape());
            assertArrayEquals(new long[] {16}, t.get("transformer.ln_f.bias").shape());
            assertEquals(F32, header.get("transformer.h.0.ln_1.weight").get("dtype").asText());
            // Conv1D stores [in, out]: HF's c_attn.weight[i][j] is our qkv weight [out j][in i]
            float[] p = g.params();
            int off = -1;
            for (String s : g.tensorNames()) {
                if (s.startsWith("h.1.attn.qkv.w@")) {
                    off = HfGpt2.Slot.parse(s).offset();
                }
            }
            float[] hf = t.get("transformer.h.1.attn.c_attn.weight").data();
            for (int i = 0; i < 16; i++) {
                for (int j = 0; j < 48; j++) {
                    assertEquals(p[off + j * 16 + i], hf[i * 48 + j]);
                }
            }
            JsonNode cfg = Json.mapper().readTree(Files.readString(dir.resolve("config.json")));
            assertEquals("gpt2", cfg.get("model_type").asText());
            assertEquals("GPT2LMHeadModel", cfg.get("architectures").get(0).asText());
            assertEquals(16, cfg.get("n_embd").asInt());
            assertEquals(2, cfg.get("n_layer").asInt());
            assertEquals(2, cfg.get("n_head").asInt());
            assertEquals(16, cfg.get("n_positions").asInt());
            assertEquals(300, cfg.get("vocab_size").asInt());
            assertEquals("gelu_new", cfg.get("activation_function").asText());
            assertEquals(1e-5, cfg.get("layer_norm_epsilon").asDouble());
        }
    }

    private static final String F32 = "F32";

    @Test
    void halfPrecisionFilesRead() throws Exception {
        // one F16 and one BF16 tensor written by hand: 1.5, -2, 0.5 in both
        String json = "{\"a\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[6,12]}}";
        ByteBuffer b = ByteBuffer.allocate(8 + json.length() + 12).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length()).put(json.getBytes(StandardCharsets.US_ASCII));
        b.putShort((short) 0x3E00).putShort((short) 0xC000).putShort((short) 0x3800);
        b.putShort((short) 0x3FC0).putShort((short) 0xC000).putShort((short) 0x3F00);
        Path f = tmp.resolve("half.safetensors");
        Files.write(f, b.array());
        Map<String, Tensor> t = Safetensors.read(f);
        assertArrayEquals(new float[] {1.5f, -2f, 0.5f}, t.get("a").data());
        assertArrayEquals(new float[] {1.5f, -2f, 0.5f}, t.get("b").data());
    }

    @Test
    void whatGpt2CannotHoldIsRefusedNamingIt() throws Exception {
        GPTConfig c = new GPTConfig(300, 16, 1, 2, 16, 0.0, true, true, false);
        try (GPT g = model(c, 6)) {
            Path dir = tmp.resolve("hf");
            HfExport.write(g, null, dir);
            Path cfg = dir.resolve("config.json");
            String good = Files.readString(cfg);
            Files.writeString(cfg, good.replace("\"gelu_new\"", "\"relu\""));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> HfGpt2.load(dir)).getMessage()
                    .contains("activation_function 'relu'"));
            Files.writeString(cfg, good.replace("\"layer_norm_epsilon\" : 1.0E-5", "\"layer_norm_epsilon\" : 1e-6"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> HfGpt2.load(dir)).getMessage()
                    .contains("layer_norm_epsilon"));
            Files.writeString(cfg, good.replace("\"bias\" : true", "\"bias\" : false"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> HfGpt2.load(dir)).getMessage()
                    .contains("is not zero"));
            Files.writeString(cfg, good);
            Map<String, Tensor> t = new LinkedHashMap<>(Safetensors.read(dir.resolve(HfGpt2.WEIGHTS)));
            t.remove("transformer.h.0.mlp.c_fc.bias");
            Safetensors.write(dir.resolve(HfGpt2.WEIGHTS), t, Map.of());
            assertTrue(assertThrows(IllegalArgumentException.class, () -> HfGpt2.load(dir)).getMessage()
                    .contains("no tensor transformer.h.0.mlp.c_fc.bias"));
            Files.write(dir.resolve(HfGpt2.WEIGHTS), new byte[] {1, 2, 3});
            assertTrue(assertThrows(IllegalArgumentException.class, () -> HfGpt2.load(dir)).getMessage()
                    .contains("not a safetensors file"));
        }
    }

    @Test
    void llmcFileHasItsHeaderAndLayout() throws Exception {
        GPTConfig c = new GPTConfig(300, 16, 2, 2, 16, 0.0, false, true, false);
        try (GPT g = model(c, 7)) {
            Path f = tmp.resolve("model.bin");
            LlmcCheckpoint.write(g, f);
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
            int[] h = new int[8];
            for (int i = 0; i < 8; i++) {
                h[i] = b.getInt(4 * i);
            }
            assertArrayEquals(new int[] {20240326, 3, 16, 300, 2, 2, 16, 384}, h);
            long C = 16, vp = 384, L = 2;
            long floats = vp * C + 16 * C + L * (12 * C * C + 13 * C) + 2 * C;
            assertEquals(1024 + 4 * floats, b.capacity());
            float[] p = g.params();
            assertEquals(p[0], b.getFloat(1024)); // wte[0][0]
            assertEquals(0f, b.getFloat((int) (1024 + 4 * (300 * C)))); // first padded row
            assertEquals(p[(int) (300 * C)], b.getFloat((int) (1024 + 4 * (vp * C)))); // wpe[0][0]
        }
        GPTConfig untied = new GPTConfig(300, 16, 1, 2, 16, 0.0, true, false, false);
        try (GPT g = model(untied, 8)) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> LlmcCheckpoint.write(g, tmp.resolve("x")))
                    .getMessage().contains("ties the LM head"));
        }
    }

    @Test
    void gptExportImportAndLogitsCommands() throws Exception {
        Map<String, Long> counts = new HashMap<>();
        BpeTrainer.countWords("the quick brown fox jumps over the lazy dog, the end. ".repeat(20), PreTokenizer.GPT2,
                counts);
        BpeTokenizer tok = new BpeTrainer(BpeTrainer.Config.of(300, PreTokenizer.GPT2)).train(counts).tokenizer();
        Path tokDir = tmp.resolve("tok");
        TokenizerFiles.save(tok, tokDir);
        GPTConfig c = new GPTConfig(300, 16, 2, 2, 16, 0.0, true, true, false);
        Path ckpt = tmp.resolve("model.ckpt");
        try (GPT g = model(c, 9)) {
            Checkpoint.of(g, TrainConfig.defaults(), 5, List.of(), Double.MAX_VALUE, 0,
                    Map.of("tokenizer", tokDir.toString())).save(Storage.local(), ckpt.toString());
            Path out = tmp.resolve("export");
            assertEquals(0, Cli.execute(new GptMain(), "export", "--model", ckpt.toString(), "--output",
                    out.toString()));
            for (String f : List.of("model.safetensors", "config.json", "generation_config.json", "tokenizer.json",
                    "vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json")) {
                assertTrue(Files.isRegularFile(out.resolve(f)), f);
            }
            JsonNode tc = Json.mapper().readTree(Files.readString(out.resolve("tokenizer_config.json")));
            assertEquals("<|endoftext|>", tc.get("eos_token").asText());
            assertEquals(tok.eotId(), Json.mapper().readTree(Files.readString(out.resolve("config.json")))
                    .get("eos_token_id").asInt());
            Path back = tmp.resolve("imported.ckpt");
            assertEquals(0, Cli.execute(new GptMain(), "import", "--input", out.toString(), "--output",
                    back.toString()));
            Checkpoint ic = Checkpoint.load(Storage.local(), back.toString());
            assertEquals(out.toAbsolutePath().toString(), ic.meta().get("tokenizer"));
            try (GPT imported = ic.toModel()) {
                assertSameLogits(g, imported, context(10, 300));
            }
            Path logits = tmp.resolve("logits.bin");
            assertEquals(0, Cli.execute(new GptMain(), "logits", "--checkpoint", back.toString(), "--ids", "1,2,3",
                    "--output", logits.toString()));
            ByteBuffer lb = ByteBuffer.wrap(Files.readAllBytes(logits)).order(ByteOrder.LITTLE_ENDIAN);
            float[][] want = g.allLogits(new int[] {1, 2, 3});
            assertEquals(3 * 300 * 4, lb.capacity());
            assertEquals(want[2][299], lb.getFloat(4 * (2 * 300 + 299)));
            // fine-tuning the imported weights: train --init takes the model from the checkpoint
            Path text = tmp.resolve("text.txt");
            Files.writeString(text, "the quick brown fox jumps over the lazy dog. ".repeat(40));
            Path run = tmp.resolve("finetune");
            assertEquals(0, Cli.execute(new GptMain(), "train", "--data", text.toString(), "--out", run.toString(),
                    "--init", back.toString(), "--max-steps", "2", "--batch-size", "2", "--warmup", "1",
                    "--eval-interval", "2", "--eval-steps", "1", "--log-interval", "1"));
            Checkpoint tuned = Checkpoint.load(Storage.local(), run.resolve("checkpoint.bin").toString());
            assertEquals(c, tuned.config());
            assertEquals(2, tuned.step());
            assertEquals(0, Cli.execute(new GptMain(), "export", "--model", ckpt.toString(), "--format", "llmc",
                    "--output", tmp.resolve("llmc").toString()));
            assertTrue(Files.size(tmp.resolve("llmc/model.bin")) > 1024);
        }
        // bad input: one line, exit code 2
        assertEquals(2, Cli.execute(new GptMain(), "import", "--input", tmp.resolve("nope").toString(), "--output",
                tmp.resolve("x.ckpt").toString()));
        assertEquals(2, Cli.execute(new GptMain(), "export", "--model", ckpt.toString(), "--format", "onnx",
                "--output", tmp.resolve("y").toString()));
    }
}
