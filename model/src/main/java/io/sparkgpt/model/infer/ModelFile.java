package io.sparkgpt.model.infer;

import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * A compressed model for inference: int8 (Q8_0) and/or structurally pruned weights, which a training
 * {@link io.sparkgpt.model.Checkpoint} cannot hold (its layout is fixed by a GPTConfig, all float32). The file is
 * {@code magic "SPKGPTIM", version, header JSON (shape, precision, tensor list, meta), tensor data, CRC32}, written
 * atomically; a truncated or corrupt file is refused with an error naming it. Each tensor is stored as {@code f32}
 * (floats) or {@code q8_0} (the int8 values, then one float scale per block of 32 of a row). The size of an int8
 * model on disk is about 0.28 of its float32 form. {@link InferenceModel#load} reads both this and a Checkpoint.
 *
 * @param shape     the model's shape
 * @param precision precision of its matrices
 * @param tensors   every tensor of the shape, by name ({@link ModelWeights}' names)
 * @param meta      free-form strings carried from the checkpoint (tokenizer, char_vocab, how it was made)
 */
public record ModelFile(ModelShape shape, Precision precision, Map<String, Tensor> tensors, Map<String, String> meta) {

    private static final long MAGIC = 0x53504B475054494DL; // "SPKGPTIM"
    private static final int VERSION = 1;

    /** A stored tensor: {@code rows x cols}, as floats or as Q8_0. */
    public sealed interface Tensor permits F32, Q8 {
        int rows();

        int cols();

        /** The values as floats (dequantized for Q8_0). */
        float[] floats();
    }

    public record F32(int rows, int cols, float[] values) implements Tensor {
        @Override
        public float[] floats() {
            return values;
        }
    }

    /** Q8_0: {@code q} row-major, {@code d} one scale per block of 32 of each row ({@link Int8Linear}). */
    public record Q8(int rows, int cols, byte[] q, float[] d) implements Tensor {
        @Override
        public float[] floats() {
            float[] out = new float[q.length];
            Int8Linear l = new Int8Linear(q, d, null, rows, cols);
            for (int j = 0; j < rows; j++) {
                l.row(j, out, j * cols);
            }
            return out;
        }
    }

    record TensorInfo(String name, String kind, int rows, int cols) {}

    record Header(ModelShape shape, Precision precision, List<TensorInfo> tensors, Map<String, String> meta) {}

    public ModelFile {
        tensors = new LinkedHashMap<>(tensors);
        meta = meta == null ? Map.of() : Map.copyOf(meta);
    }

    /** The file of {@code w} with its matrices and token tables in {@code precision}. */
    public static ModelFile of(ModelWeights w, Precision precision, Map<String, String> meta) {
        Map<String, int[]> sizes = ModelWeights.expectedSizes(w.shape());
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : sizes.entrySet()) {
            String n = e.getKey();
            int rows = e.getValue()[0], cols = e.getValue()[1];
            float[] v = w.get(n);
            if (precision == Precision.INT8 && isMatrix(n)) {
                Int8Linear q = Int8Linear.quantize(v, null, rows, cols);
                t.put(n, new Q8(rows, cols, q.values(), q.scales()));
            } else {
                t.put(n, new F32(rows, cols, v));
            }
        }
        return new ModelFile(w.shape(), precision, t, meta);
    }

    /** Matrices a precision applies to: the linear layers and the token tables (LM head included). */
    static boolean isMatrix(String name) {
        return name.equals("wte") || name.equals("lm_head.w") || name.endsWith("attn.qkv.w")
                || name.endsWith("attn.proj.w") || name.endsWith("mlp.fc.w") || name.endsWith("mlp.proj.w");
    }

    /** The weights as floats (Q8_0 tensors dequantized). */
    public ModelWeights toWeights() {
        Map<String, float[]> f = new LinkedHashMap<>();
        tensors.forEach((n, t) -> f.put(n, t.floats()));
        return new ModelWeights(shape, f);
    }

    /**
     * An inference model. {@code as} null or equal to the stored precision: int8 layers are built straight from the
     * stored values (nothing dequantized); otherwise the weights are converted.
     */
    public InferenceModel toModel(Precision as) {
        if (as != null && as != precision) {
            return InferenceModel.of(toWeights(), as);
        }
        ModelShape s = shape;
        boolean b = s.bias();
        int C = s.nEmbd();
        Linear wte = linear("wte", null);
        Linear lm = s.tiedEmbeddings() ? wte : linear("lm_head.w", null);
        Linear[][] layers = new Linear[s.nLayer()][];
        float[][][] norms = new float[s.nLayer()][][];
        for (int l = 0; l < s.nLayer(); l++) {
            String p = "h." + l + ".";
            layers[l] = new Linear[] {
                linear(p + "attn.qkv.w", b ? p + "attn.qkv.b" : null),
                linear(p + "attn.proj.w", b ? p + "attn.proj.b" : null),
                linear(p + "mlp.fc.w", b ? p + "mlp.fc.b" : null),
                linear(p + "mlp.proj.w", b ? p + "mlp.proj.b" : null)};
            norms[l] = new float[][] {vec(p + "ln1.w"), b ? vec(p + "ln1.b") : null, vec(p + "ln2.w"),
                b ? vec(p + "ln2.b") : null};
        }
        return new InferenceModel(s, precision, wte, lm, vec("wpe"), vec("ln_f.w"), b ? vec("ln_f.b") : null, layers,
                norms);
    }

    private Linear linear(String w, String bias) {
        Tensor t = tensors.get(w);
        float[] bv = bias == null ? null : vec(bias);
        if (t instanceof Q8 q) {
            return new Int8Linear(q.q(), q.d(), bv, q.rows(), q.cols());
        }
        return new FloatLinear(t.floats(), bv, t.rows(), t.cols());
    }

    private float[] vec(String name) {
        return tensors.get(name).floats().clone();
    }

    /** Bytes of the tensor data (what the weights take; the file adds a header of a few KB). */
    public long dataBytes() {
        long n = 0;
        for (Tensor t : tensors.values()) {
            n += t instanceof Q8 q ? q.q().length + 4L * q.d().length : 4L * t.floats().length;
        }
        return n;
    }

    public byte[] toBytes() {
        List<TensorInfo> infos = new ArrayList<>();
        tensors.forEach((n, t) -> infos.add(new TensorInfo(n, t instanceof Q8 ? "q8_0" : "f32", t.rows(), t.cols())));
        byte[] json = Json.writeLine(new Header(shape, precision, infos, meta)).getBytes(StandardCharsets.UTF_8);
        long size = 8 + 4 + 4 + json.length + dataBytes() + 8;
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("model file of " + size + " bytes is too large for one array");
        }
        ByteBuffer bb = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(MAGIC).putInt(VERSION).putInt(json.length).put(json);
        for (Tensor t : tensors.values()) {
            if (t instanceof Q8 q) {
                bb.put(q.q());
                putFloats(bb, q.d());
            } else {
                putFloats(bb, t.floats());
            }
        }
        CRC32 crc = new CRC32();
        crc.update(bb.array(), 0, bb.position());
        bb.putLong(crc.getValue());
        return bb.array();
    }

    private static void putFloats(ByteBuffer bb, float[] a) {
        bb.asFloatBuffer().put(a);
        bb.position(bb.position() + 4 * a.length);
    }

    /** True when {@code bytes} start with this format's magic number. */
    public static boolean isModelFile(byte[] bytes) {
        return bytes.length >= 8 && ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong() == MAGIC;
    }

    /** Parses a model file; {@code name} (the file) appears in every error. */
    public static ModelFile fromBytes(byte[] bytes, String name) {
        if (bytes.length < 24 || !isModelFile(bytes)) {
            throw new IllegalArgumentException(name + " is not a sparkgpt model file (bad magic number or truncated)");
        }
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        bb.getLong();
        int version = bb.getInt();
        if (version != VERSION) {
            throw new IllegalArgumentException("model file " + name + " has format version " + version
                    + ", this build reads " + VERSION);
        }
        int jsonLen = bb.getInt();
        if (jsonLen < 0 || jsonLen > bytes.length - 24) {
            throw new IllegalArgumentException("model file " + name + " is truncated: header of " + jsonLen
                    + " bytes, file has " + bytes.length);
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 8);
        if (ByteBuffer.wrap(bytes, bytes.length - 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong() != crc.getValue()) {
            throw new IllegalArgumentException("model file " + name + " is corrupt or truncated: CRC32 mismatch");
        }
        Header h;
        try {
            h = Json.mapper().readValue(bytes, 16, jsonLen, Header.class);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("model file " + name + " has an unreadable header: " + e.getMessage(),
                    e);
        }
        bb.position(16 + jsonLen);
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (TensorInfo ti : h.tensors()) {
            long n = (long) ti.rows() * ti.cols();
            long need = ti.kind().equals("q8_0") ? n + 4L * ti.rows() * Int8Linear.blocks(ti.cols()) : 4 * n;
            if (need > bb.remaining() - 8) {
                throw new IllegalArgumentException("model file " + name + " is truncated at tensor " + ti.name());
            }
            switch (ti.kind()) {
                case "q8_0" -> {
                    byte[] q = new byte[(int) n];
                    bb.get(q);
                    t.put(ti.name(), new Q8(ti.rows(), ti.cols(), q, getFloats(bb, ti.rows()
                            * Int8Linear.blocks(ti.cols()))));
                }
                case "f32" -> t.put(ti.name(), new F32(ti.rows(), ti.cols(), getFloats(bb, (int) n)));
                default -> throw new IllegalArgumentException("model file " + name + ": tensor " + ti.name()
                        + " has unknown kind " + ti.kind());
            }
        }
        if (bb.remaining() != 8) {
            throw new IllegalArgumentException("model file " + name + " has " + (bb.remaining() - 8)
                    + " bytes after its last tensor");
        }
        Map<String, int[]> sizes = ModelWeights.expectedSizes(h.shape());
        for (Map.Entry<String, int[]> e : sizes.entrySet()) {
            Tensor x = t.get(e.getKey());
            if (x == null || x.rows() != e.getValue()[0] || x.cols() != e.getValue()[1]) {
                throw new IllegalArgumentException("model file " + name + ": tensor " + e.getKey()
                        + " is missing or has the wrong shape for " + h.shape());
            }
        }
        return new ModelFile(h.shape(), h.precision(), t, h.meta());
    }

    private static float[] getFloats(ByteBuffer bb, int n) {
        float[] a = new float[n];
        bb.asFloatBuffer().get(a);
        bb.position(bb.position() + 4 * n);
        return a;
    }

    public void save(Storage storage, String path) {
        storage.writeAtomically(path, toBytes());
    }

    public static ModelFile load(Storage storage, String path) {
        try {
            return fromBytes(storage.readAll(path), path);
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException("cannot read model file " + path + ": " + e.getMessage(), e);
        }
    }
}
