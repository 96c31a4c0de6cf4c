package io.sparkgpt.model.infer;

import io.sparkgpt.model.GPTConfig;
import java.util.Arrays;

/**
 * Shape of a forward-only model: a {@link GPTConfig} generalised to a head count and an MLP width per layer, so that
 * a structurally pruned model (whole attention heads or MLP neurons removed) is really smaller.
 *
 * @param vocabSize      token ids (logits per position)
 * @param blockSize      longest context (learned position embeddings)
 * @param nEmbd          residual width C
 * @param headSize       width of one attention head (the same in every layer)
 * @param heads          attention heads of each layer (>= 1 each); the array's length is the number of layers
 * @param mlpWidths      hidden width of each layer's MLP (>= 1 each; 4 C in an unpruned GPT)
 * @param bias           biases in the linear layers and LayerNorms
 * @param tiedEmbeddings the LM head is the token embedding matrix
 * @param exactGelu      x * Phi(x) instead of GPT-2's tanh approximation
 */
public record ModelShape(int vocabSize, int blockSize, int nEmbd, int headSize, int[] heads, int[] mlpWidths,
                         boolean bias, boolean tiedEmbeddings, boolean exactGelu) {

    public ModelShape {
        if (vocabSize < 1 || blockSize < 1 || nEmbd < 1 || headSize < 1) {
            throw new IllegalArgumentException("ModelShape: vocabSize, blockSize, nEmbd and headSize must be >= 1: "
                    + vocabSize + ", " + blockSize + ", " + nEmbd + ", " + headSize);
        }
        if (heads == null || mlpWidths == null || heads.length == 0 || heads.length != mlpWidths.length) {
            throw new IllegalArgumentException("ModelShape: heads and mlpWidths need one entry per layer (>= 1 layer)");
        }
        heads = heads.clone();
        mlpWidths = mlpWidths.clone();
        for (int l = 0; l < heads.length; l++) {
            if (heads[l] < 1 || mlpWidths[l] < 1) {
                throw new IllegalArgumentException("ModelShape: layer " + l + " has " + heads[l] + " heads and MLP width "
                        + mlpWidths[l] + " (each must be >= 1)");
            }
        }
    }

    /** The unpruned shape of a GPT. */
    public static ModelShape of(GPTConfig c) {
        int[] h = new int[c.nLayer()], f = new int[c.nLayer()];
        Arrays.fill(h, c.nHead());
        Arrays.fill(f, 4 * c.nEmbd());
        return new ModelShape(c.vocabSize(), c.blockSize(), c.nEmbd(), c.headSize(), h, f, c.bias(),
                c.tiedEmbeddings(), c.exactGelu());
    }

    public int nLayer() {
        return heads.length;
    }

    @Override
    public int[] heads() {
        return heads.clone();
    }

    @Override
    public int[] mlpWidths() {
        return mlpWidths.clone();
    }

    public int heads(int layer) {
        return heads[layer];
    }

    public int mlpWidth(int layer) {
        return mlpWidths[layer];
    }

    /** Width of layer {@code l}'s attention (heads x headSize): q, k and v each have this many features. */
    public int attnWidth(int layer) {
        return heads[layer] * headSize;
    }

    /** True when every layer has the heads and MLP width of the GPT this shape generalises. */
    public boolean isDense() {
        return nEmbd == heads[0] * headSize && Arrays.stream(heads).allMatch(h -> h == heads[0])
                && Arrays.stream(mlpWidths).allMatch(f -> f == 4 * nEmbd);
    }

    /** The GPTConfig of a dense shape (for fine-tuning with the training engine). */
    public GPTConfig toGptConfig() {
        if (!isDense()) {
            throw new IllegalStateException("a structurally pruned shape " + this + " has no GPTConfig");
        }
        return new GPTConfig(vocabSize, blockSize, nLayer(), heads[0], nEmbd, 0.0, bias, tiedEmbeddings, exactGelu);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelShape s && vocabSize == s.vocabSize && blockSize == s.blockSize && nEmbd == s.nEmbd
                && headSize == s.headSize && Arrays.equals(heads, s.heads) && Arrays.equals(mlpWidths, s.mlpWidths)
                && bias == s.bias && tiedEmbeddings == s.tiedEmbeddings && exactGelu == s.exactGelu;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(heads) * 31 + Arrays.hashCode(mlpWidths) + vocabSize * 7 + nEmbd;
    }

    @Override
    public String toString() {
        return "ModelShape[V=" + vocabSize + " T=" + blockSize + " C=" + nEmbd + " hs=" + headSize + " heads="
                + Arrays.toString(heads) + " mlp=" + Arrays.toString(mlpWidths) + " bias=" + bias + " tied="
                + tiedEmbeddings + " exactGelu=" + exactGelu + "]";
    }
}
