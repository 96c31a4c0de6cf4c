package io.sparkgpt.model.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.export.Safetensors.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Our GPT in Hugging Face's GPT-2 layout ({@code transformers}' {@code GPT2LMHeadModel}): tensor names
 * {@code transformer.h.<l>.attn.c_attn.weight} etc., the {@code Conv1D} weights stored [in, out] (ours are
 * [out, in], so they are transposed), and {@code config.json} with {@code n_embd}, {@code n_layer}, ... Both ways:
 * {@link #tensors} / {@link #config} to export, {@link #load} to import GPT-2-shaped weights from elsewhere.
 *
 * <p>What maps: our tanh GELU is GPT-2's {@code gelu_new}, the exact one {@code gelu}; a model without biases gets
 * zero biases (the same function), and {@code "bias": false} in config.json restores it on import; an untied LM
 * head is {@code tie_word_embeddings: false} plus {@code lm_head.weight}. LayerNorm epsilon is 1e-5 both sides.
 */
public final class HfGpt2 {
    public static final String WEIGHTS = "model.safetensors";
    public static final String CONFIG = "config.json";
    private static final String P = "transformer.";

    private HfGpt2() {}

    /** Our tensor name (see {@link GPT#tensorNames()}) -> HF name, and whether HF stores it transposed. */
    record Name(String hf, boolean transposed) {}

    static Name hfName(String ours) {
        if (ours.equals("wte") || ours.equals("wpe")) {
            return new Name(P + ours + ".weight", false);
        }
        if (ours.equals("ln_f.w") || ours.equals("ln_f.b")) {
            return new Name(P + "ln_f." + (ours.endsWith(".w") ? "weight" : "bias"), false);
        }
        if (ours.equals("lm_head.w")) {
            return new Name("lm_head.weight", false); // nn.Linear: [out, in] like ours
        }
        if (ours.startsWith("h.")) {
            int dot = ours.indexOf('.', 2);
            String layer = ours.substring(0, dot); // h.<l>
            String rest = ours.substring(dot + 1);
            String suffix = rest.endsWith(".w") ? "weight" : "bias";
            String module = switch (rest.substring(0, rest.length() - 2)) {
                case "ln1" -> "ln_1";
                case "ln2" -> "ln_2";
                case "attn.qkv" -> "attn.c_attn";
                case "attn.proj" -> "attn.c_proj";
                case "mlp.fc" -> "mlp.c_fc";
                case "mlp.proj" -> "mlp.c_proj";
                default -> throw new IllegalStateException("unknown tensor " + ours);
            };
            boolean conv1d = suffix.equals("weight") && !module.startsWith("ln_");
            return new Name(P + layer + "." + module + "." + suffix, conv1d);
        }
        throw new IllegalStateException("unknown tensor " + ours);
    }

    /** One entry of {@link GPT#tensorNames()}: "name@offset+size". */
    record Slot(String name, int offset, int size) {
        static Slot parse(String s) {
            int at = s.indexOf('@');
            int plus = s.indexOf('+', at);
            return new Slot(s.substring(0, at), Integer.parseInt(s.substring(at + 1, plus)),
                    Integer.parseInt(s.substring(plus + 1)));
        }
    }

    /** Shape of our tensor (rows = out features for weights). */
    static long[] shape(String ours, GPTConfig c) {
        long C = c.nEmbd();
        String base = ours.startsWith("h.") ? ours.substring(ours.indexOf('.', 2) + 1) : ours;
        return switch (base) {
            case "wte", "lm_head.w" -> new long[] {c.vocabSize(), C};
            case "wpe" -> new long[] {c.blockSize(), C};
            case "attn.qkv.w" -> new long[] {3 * C, C};
            case "attn.qkv.b" -> new long[] {3 * C};
            case "attn.proj.w" -> new long[] {C, C};
            case "mlp.fc.w" -> new long[] {4 * C, C};
            case "mlp.fc.b" -> new long[] {4 * C};
            case "mlp.proj.w" -> new long[] {C, 4 * C};
            default -> new long[] {C}; // LayerNorm weights and biases, attn.proj.b, mlp.proj.b
        };
    }

    /** The HF tensors of {@code gpt}, zero biases added when the model has none. */
    public static Map<String, Tensor> tensors(GPT gpt) {
        GPTConfig c = gpt.config();
        float[] p = gpt.params();
        Map<String, Tensor> ours = new LinkedHashMap<>();
        for (String s : gpt.tensorNames()) {
            Slot slot = Slot.parse(s);
            float[] d = new float[slot.size()];
            System.arraycopy(p, slot.offset(), d, 0, slot.size());
            ours.put(slot.name(), new Tensor(shape(slot.name(), c), d));
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : allOurNames(c)) {
            Name hf = hfName(name);
            Tensor t = ours.get(name);
            if (t == null) { // a bias this model does not have: zeros compute the same function
                long[] shape = shape(name, c);
                t = new Tensor(shape, new float[(int) shape[0]]);
            }
            out.put(hf.hf(), hf.transposed() ? transpose(t) : t);
        }
        return out;
    }

    /** Our tensor names for a model with biases (the HF layout always has them), lm_head when untied. */
    static List<String> allOurNames(GPTConfig c) {
        List<String> names = new ArrayList<>(List.of("wte", "wpe"));
        for (int l = 0; l < c.nLayer(); l++) {
            for (String s : new String[] {"ln1.w", "ln1.b", "attn.qkv.w", "attn.qkv.b", "attn.proj.w", "attn.proj.b",
                "ln2.w", "ln2.b", "mlp.fc.w", "mlp.fc.b", "mlp.proj.w", "mlp.proj.b"}) {
                names.add("h." + l + "." + s);
            }
        }
        names.add("ln_f.w");
        names.add("ln_f.b");
        if (!c.tiedEmbeddings()) {
            names.add("lm_head.w");
        }
        return names;
    }

    static Tensor transpose(Tensor t) {
        int r = (int) t.shape()[0];
        int k = (int) t.shape()[1];
        float[] o = new float[r * k];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < k; j++) {
                o[j * r + i] = t.data()[i * k + j];
            }
        }
        return new Tensor(new long[] {k, r}, o);
    }

    /** config.json of GPT2LMHeadModel for {@code c}; {@code eotId} < 0: no bos/eos ids. */
    public static ObjectNode config(GPTConfig c, int eotId) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.putArray("architectures").add("GPT2LMHeadModel");
        o.put("model_type", "gpt2");
        o.put("vocab_size", c.vocabSize());
        o.put("n_positions", c.blockSize());
        o.put("n_ctx", c.blockSize());
        o.put("n_embd", c.nEmbd());
        o.put("n_layer", c.nLayer());
        o.put("n_head", c.nHead());
        o.putNull("n_inner");
        o.put("activation_function", c.exactGelu() ? "gelu" : "gelu_new");
        o.put("resid_pdrop", c.dropout());
        o.put("embd_pdrop", c.dropout());
        o.put("attn_pdrop", c.dropout());
        o.put("layer_norm_epsilon", 1e-5);
        o.put("initializer_range", 0.02);
        o.put("scale_attn_weights", true);
        o.put("scale_attn_by_inverse_layer_idx", false);
        o.put("reorder_and_upcast_attn", false);
        o.put("tie_word_embeddings", c.tiedEmbeddings());
        if (eotId >= 0) {
            o.put("bos_token_id", eotId);
            o.put("eos_token_id", eotId);
        }
        o.put("torch_dtype", "float32");
        o.put("use_cache", true);
        o.put("bias", c.bias()); // ours: false = the zero biases are not parameters (HF ignores the key)
        return o;
    }

    /** Reads {@code dir}/config.json and {@code dir}/model.safetensors (GPT-2 layout) into a new GPT. */
    public static GPT load(Path dir) {
        Path cfgFile = dir.resolve(CONFIG);
        JsonNode j;
        try {
            j = Json.mapper().readTree(Files.readString(cfgFile));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + cfgFile, e);
        }
        GPTConfig c = configFrom(j, cfgFile.toString());
        Map<String, Tensor> hf = Safetensors.read(dir.resolve(WEIGHTS));
        return fromTensors(c, hf, dir.resolve(WEIGHTS).toString());
    }

    /** Our GPTConfig from an HF GPT-2 config.json; what we cannot represent is refused, naming the key. */
    static GPTConfig configFrom(JsonNode j, String file) {
        String type = j.path("model_type").asText("");
        if (!type.equals("gpt2")) {
            throw new IllegalArgumentException(file + ": model_type '" + type + "' is not gpt2");
        }
        String act = j.path("activation_function").asText("gelu_new");
        boolean exact = switch (act) {
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> false; // the tanh approximation, one formula
            case "gelu" -> true;
            default -> throw new IllegalArgumentException(file + ": activation_function '" + act + "' is not a GELU "
                    + "this GPT has (gelu_new or gelu)");
        };
        int C = intField(j, "n_embd", file);
        if (!j.path("n_inner").isNull() && !j.path("n_inner").isMissingNode() && j.get("n_inner").asInt() != 4 * C) {
            throw new IllegalArgumentException(file + ": n_inner " + j.get("n_inner") + " is not 4 * n_embd");
        }
        double eps = j.path("layer_norm_epsilon").asDouble(1e-5);
        if (Math.abs(eps - 1e-5) > 1e-12) {
            throw new IllegalArgumentException(file + ": layer_norm_epsilon " + eps + " is not 1e-5 (ours is fixed)");
        }
        if (j.path("scale_attn_by_inverse_layer_idx").asBoolean(false) || !j.path("scale_attn_weights")
                .asBoolean(true)) {
            throw new IllegalArgumentException(file + ": attention scaling other than 1/sqrt(head size) is not "
                    + "supported (scale_attn_weights / scale_attn_by_inverse_layer_idx)");
        }
        double dropout = j.path("resid_pdrop").asDouble(0.0);
        try {
            return new GPTConfig(intField(j, "vocab_size", file), intField(j, "n_positions", file),
                    intField(j, "n_layer", file), intField(j, "n_head", file), C, dropout,
                    j.path("bias").asBoolean(true), j.path("tie_word_embeddings").asBoolean(true), exact);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static int intField(JsonNode j, String key, String file) {
        JsonNode v = j.get(key);
        if (v == null || !v.canConvertToInt() || v.asInt() < 1) {
            throw new IllegalArgumentException(file + ": " + key + " is missing or not a positive integer");
        }
        return v.asInt();
    }

    /** A GPT of config {@code c} holding the HF tensors (with or without the "transformer." prefix). */
    static GPT fromTensors(GPTConfig c, Map<String, Tensor> hf, String file) {
        GPT gpt = GPT.create(c, 0);
        float[] p = new float[(int) gpt.numParams()];
        for (String s : gpt.tensorNames()) {
            Slot slot = Slot.parse(s);
            Name n = hfName(slot.name());
            Tensor t = hf.get(n.hf());
            if (t == null && n.hf().startsWith(P)) {
                t = hf.get(n.hf().substring(P.length()));
            }
            if (t == null) {
                throw new IllegalArgumentException(file + " has no tensor " + n.hf() + " (for our " + slot.name() + ")");
            }
            long[] want = shape(slot.name(), c);
            long[] wantHf = n.transposed() ? new long[] {want[1], want[0]} : want;
            if (!java.util.Arrays.equals(t.shape(), wantHf)) {
                throw new IllegalArgumentException(file + ": " + n.hf() + " has shape "
                        + java.util.Arrays.toString(t.shape()) + ", config.json implies "
                        + java.util.Arrays.toString(wantHf));
            }
            Tensor ours = n.transposed() ? transpose(t) : t;
            System.arraycopy(ours.data(), 0, p, slot.offset(), slot.size());
        }
        if (!c.bias()) { // config says no biases: any the file holds must be zero, or the function would change
            for (String name : allOurNames(c)) {
                if (name.endsWith(".b")) {
                    Name n = hfName(name);
                    Tensor t = hf.containsKey(n.hf()) ? hf.get(n.hf()) : hf.get(n.hf().substring(P.length()));
                    if (t != null) {
                        for (float f : t.data()) {
                            if (f != 0f) {
                                throw new IllegalArgumentException(file + ": config.json says bias false but "
                                        + n.hf() + " is not zero");
                            }
                        }
                    }
                }
            }
        }
        gpt.setParams(p);
        return gpt;
    }
}
