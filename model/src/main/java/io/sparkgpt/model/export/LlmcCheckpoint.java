package io.sparkgpt.model.export;

import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.export.HfGpt2.Slot;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;

/**
 * llm.c's model file ({@code gpt2_124M.bin}, read by {@code gpt2_build_from_checkpoint}): a header of 256 int32
 * (magic 20240326, version 3 = float32, maxT, V, L, NH, C, padded V), then the float32 parameters grouped by kind
 * across layers (all ln1 weights, then all ln1 biases, ...), the token embedding padded with zero rows to a multiple
 * of 128. llm.c's GPT-2 has biases, a tied head and the tanh GELU: a model that differs otherwise is refused.
 */
public final class LlmcCheckpoint {
    public static final int MAGIC = 20240326;
    public static final int VERSION_FP32 = 3;

    private LlmcCheckpoint() {}

    /** llm.c's padded vocabulary: V rounded up to a multiple of 128. */
    public static int paddedVocab(int v) {
        return (v + 127) / 128 * 128;
    }

    public static void write(GPT gpt, Path file) {
        GPTConfig c = gpt.config();
        if (!c.tiedEmbeddings()) {
            throw new IllegalArgumentException("llm.c's GPT-2 ties the LM head to the token embedding: this model has "
                    + "its own head (export --format hf keeps it)");
        }
        if (c.exactGelu()) {
            throw new IllegalArgumentException("llm.c's GPT-2 uses the tanh GELU: this model uses the exact one "
                    + "(export --format hf keeps it)");
        }
        float[] p = gpt.params();
        Map<String, Slot> slots = new HashMap<>();
        for (String s : gpt.tensorNames()) {
            Slot slot = Slot.parse(s);
            slots.put(slot.name(), slot);
        }
        int L = c.nLayer();
        int C = c.nEmbd();
        int V = c.vocabSize();
        int vp = paddedVocab(V);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
            ByteBuffer header = ByteBuffer.allocate(256 * 4).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(MAGIC).putInt(VERSION_FP32).putInt(c.blockSize()).putInt(V).putInt(L).putInt(c.nHead())
                    .putInt(C).putInt(vp);
            os.write(header.array());
            Floats out = new Floats(os);
            out.put(p, slots.get("wte"));
            out.zeros((long) (vp - V) * C);
            out.put(p, slots.get("wpe"));
            String[][] kinds = {{"ln1.w", "C"}, {"ln1.b", "C"}, {"attn.qkv.w", ""}, {"attn.qkv.b", "3C"},
                {"attn.proj.w", ""}, {"attn.proj.b", "C"}, {"ln2.w", "C"}, {"ln2.b", "C"}, {"mlp.fc.w", ""},
                {"mlp.fc.b", "4C"}, {"mlp.proj.w", ""}, {"mlp.proj.b", "C"}};
            for (String[] k : kinds) {
                for (int l = 0; l < L; l++) {
                    Slot s = slots.get("h." + l + "." + k[0]);
                    if (s != null) {
                        out.put(p, s);
                    } else { // a bias this model does not have
                        out.zeros(k[1].equals("C") ? C : k[1].equals("3C") ? 3L * C : 4L * C);
                    }
                }
            }
            out.put(p, slots.get("ln_f.w"));
            if (slots.containsKey("ln_f.b")) {
                out.put(p, slots.get("ln_f.b"));
            } else {
                out.zeros(C);
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Little-endian float32 output. */
    private static final class Floats {
        private final OutputStream os;
        private final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        Floats(OutputStream os) {
            this.os = os;
        }

        void put(float[] p, Slot s) throws IOException {
            for (int i = s.offset(); i < s.offset() + s.size(); i++) {
                putFloat(p[i]);
            }
        }

        void zeros(long n) throws IOException {
            for (long i = 0; i < n; i++) {
                putFloat(0f);
            }
        }

        private void putFloat(float f) throws IOException {
            if (!buf.hasRemaining()) {
                flush();
            }
            buf.putFloat(f);
        }

        void flush() throws IOException {
            os.write(buf.array(), 0, buf.position());
            buf.clear();
        }
    }
}
