package io.sparkgpt.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Where each tensor lives in a {@link GPT}'s flat parameter vector (and, at the same offsets, in its gradient and
 * AdamW moments). Fixed by the {@link GPTConfig}: the checkpoint format is this order. Weights are stored as
 * PyTorch's {@code Linear} does, {@code [out x in]} row-major. An absent tensor (a bias when
 * {@code GPTConfig.bias} is off) has offset -1. Public for code that reads the parameters directly (the inference
 * engine, converters): {@link GPT#layout()}, {@link GPT#parameterView()}.
 *
 * @param wte    token embedding {@code [vocabSize x nEmbd]}
 * @param wpe    position embedding {@code [blockSize x nEmbd]}
 * @param blocks the transformer blocks, in order
 * @param lnfW   final LayerNorm gain {@code [nEmbd]}
 * @param lnfB   final LayerNorm bias or -1
 * @param lmHead LM head {@code [vocabSize x nEmbd]}: {@code wte} itself when the embeddings are tied
 * @param tensors every stored tensor in layout order (a tied LM head is not stored twice)
 * @param size   number of floats
 */
public record ParamLayout(int wte, int wpe, List<Block> blocks, int lnfW, int lnfB, int lmHead, List<Tensor> tensors,
                          int size) {

    /** Offsets of one block's tensors (biases -1 when absent). */
    public record Block(int ln1W, int ln1B, int qkvW, int qkvB, int projW, int projB, int ln2W, int ln2B, int fcW,
                        int fcB, int fc2W, int fc2B) {}

    /**
     * @param decay whether AdamW's weight decay applies (the blocks' matrices and an untied LM head; the
     *              embeddings only with {@link TrainConfig#decayEmbeddings()})
     */
    public record Tensor(String name, int offset, int size, boolean decay) {}

    public ParamLayout {
        blocks = List.copyOf(blocks);
        tensors = List.copyOf(tensors);
    }

    public static ParamLayout of(GPTConfig c) {
        int C = c.nEmbd();
        boolean bias = c.bias();
        Builder b = new Builder();
        int wte = b.add("wte", (long) c.vocabSize() * C, false);
        int wpe = b.add("wpe", (long) c.blockSize() * C, false);
        List<Block> blocks = new ArrayList<>();
        for (int l = 0; l < c.nLayer(); l++) {
            String h = "h." + l + ".";
            int ln1W = b.add(h + "ln1.w", C, false);
            int ln1B = bias ? b.add(h + "ln1.b", C, false) : -1;
            int qkvW = b.add(h + "attn.qkv.w", 3L * C * C, true);
            int qkvB = bias ? b.add(h + "attn.qkv.b", 3L * C, false) : -1;
            int projW = b.add(h + "attn.proj.w", (long) C * C, true);
            int projB = bias ? b.add(h + "attn.proj.b", C, false) : -1;
            int ln2W = b.add(h + "ln2.w", C, false);
            int ln2B = bias ? b.add(h + "ln2.b", C, false) : -1;
            int fcW = b.add(h + "mlp.fc.w", 4L * C * C, true);
            int fcB = bias ? b.add(h + "mlp.fc.b", 4L * C, false) : -1;
            int fc2W = b.add(h + "mlp.proj.w", 4L * C * C, true);
            int fc2B = bias ? b.add(h + "mlp.proj.b", C, false) : -1;
            blocks.add(new Block(ln1W, ln1B, qkvW, qkvB, projW, projB, ln2W, ln2B, fcW, fcB, fc2W, fc2B));
        }
        int lnfW = b.add("ln_f.w", C, false);
        int lnfB = bias ? b.add("ln_f.b", C, false) : -1;
        int lm = c.tiedEmbeddings() ? wte : b.add("lm_head.w", (long) c.vocabSize() * C, true);
        return new ParamLayout(wte, wpe, blocks, lnfW, lnfB, lm, b.tensors, b.next);
    }

    /** The tensor stored at {@code offset}. */
    public Tensor tensorAt(int offset) {
        for (Tensor t : tensors) {
            if (t.offset() == offset) {
                return t;
            }
        }
        throw new IllegalArgumentException("no tensor starts at offset " + offset);
    }

    private static final class Builder {
        final List<Tensor> tensors = new ArrayList<>();
        int next;

        int add(String name, long size, boolean decay) {
            if (next + size > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("model too large for one float buffer: more than 2^31 parameters");
            }
            int off = next;
            tensors.add(new Tensor(name, off, (int) size, decay));
            next += (int) size;
            return off;
        }
    }
}
