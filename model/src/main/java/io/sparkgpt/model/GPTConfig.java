package io.sparkgpt.model;

import io.sparkgpt.common.json.Json;

/**
 * Shape of a GPT (nanoGPT's {@code GPTConfig}). Immutable; the compact constructor validates every field and names
 * the offending one in its {@link IllegalArgumentException}.
 *
 * @param vocabSize      number of token ids (logits per position), >= 1
 * @param blockSize      the longest context the model takes (learned position embeddings), >= 1
 * @param nLayer         transformer blocks, >= 1
 * @param nHead          attention heads; must divide {@code nEmbd}
 * @param nEmbd          embedding width C
 * @param dropout        dropout probability in [0, 1): embeddings, attention weights, both residual branches
 * @param bias           biases in the linear layers and LayerNorms (nanoGPT's {@code bias}); false = none at all
 * @param tiedEmbeddings the LM head reuses the token embedding matrix (GPT-2); false = its own matrix
 * @param exactGelu      GELU as x * Phi(x) with the exact normal CDF (PyTorch's default, what nanoGPT uses); false =
 *                       GPT-2's tanh approximation (the default: cheaper, and what older checkpoints were trained with)
 */
public record GPTConfig(int vocabSize, int blockSize, int nLayer, int nHead, int nEmbd, double dropout, boolean bias,
                        boolean tiedEmbeddings, boolean exactGelu) {

    /** A GPT with GPT-2's tanh GELU. */
    public GPTConfig(int vocabSize, int blockSize, int nLayer, int nHead, int nEmbd, double dropout, boolean bias,
                     boolean tiedEmbeddings) {
        this(vocabSize, blockSize, nLayer, nHead, nEmbd, dropout, bias, tiedEmbeddings, false);
    }

    public GPTConfig {
        require(vocabSize >= 1, "vocabSize", vocabSize, "must be >= 1");
        require(blockSize >= 1, "blockSize", blockSize, "must be >= 1");
        require(nLayer >= 1, "nLayer", nLayer, "must be >= 1");
        require(nHead >= 1, "nHead", nHead, "must be >= 1");
        require(nEmbd >= 1, "nEmbd", nEmbd, "must be >= 1");
        if (nEmbd % nHead != 0) {
            throw new IllegalArgumentException("GPTConfig.nEmbd=" + nEmbd + " is not divisible by GPTConfig.nHead="
                    + nHead + " (each head gets nEmbd/nHead dimensions)");
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("GPTConfig.dropout=" + dropout + " must be in [0, 1)");
        }
    }

    private static void require(boolean ok, String field, long value, String why) {
        if (!ok) {
            throw new IllegalArgumentException("GPTConfig." + field + "=" + value + " " + why);
        }
    }

    /** Width of one attention head. */
    public int headSize() {
        return nEmbd / nHead;
    }

    /** nanoGPT's CPU recipe on character-level Shakespeare: L4 H4 C128 T64, no dropout, no bias, tied. */
    public static GPTConfig nanoShakespeare(int vocabSize) {
        return new GPTConfig(vocabSize, 64, 4, 4, 128, 0.0, false, true);
    }

    public GPTConfig withDropout(double p) {
        return new GPTConfig(vocabSize, blockSize, nLayer, nHead, nEmbd, p, bias, tiedEmbeddings, exactGelu);
    }

    public GPTConfig withExactGelu(boolean exact) {
        return new GPTConfig(vocabSize, blockSize, nLayer, nHead, nEmbd, dropout, bias, tiedEmbeddings, exact);
    }

    public String toJson() {
        return Json.write(this);
    }

    public static GPTConfig fromJson(String json) {
        return Json.read(json, GPTConfig.class);
    }
}
