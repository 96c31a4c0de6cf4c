package io.sparkgpt.model.cli;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.model.GPTConfig;
import picocli.CommandLine.Option;

/**
 * The model-shape options ({@code --n-layer --n-head --n-embd --block-size --vocab-size --dropout}) that {@code gpt
 * train} and every Spark training job take, as one picocli mixin. The defaults are the fields' initial values, taken
 * from a {@link GPTConfig} ({@link GPTConfig#nanoShakespeare} unless a job names its own), so that {@code --help}
 * and a {@code --config} file both see them.
 */
public final class ModelShapeOptions {
    @Option(names = "--n-layer", description = "transformer blocks (default: ${DEFAULT-VALUE})")
    public int nLayer;
    @Option(names = "--n-head", description = "attention heads (default: ${DEFAULT-VALUE})")
    public int nHead;
    @Option(names = "--n-embd", description = "embedding width (default: ${DEFAULT-VALUE})")
    public int nEmbd;
    @Option(names = "--block-size", description = "context length (default: ${DEFAULT-VALUE})")
    public int blockSize;
    @Option(names = "--vocab-size", description = "0 = the tokenizer's vocabulary, else the data's largest id + 1 "
            + "(default: ${DEFAULT-VALUE})")
    public int vocabSize;
    @Option(names = "--dropout", description = "dropout probability (default: ${DEFAULT-VALUE})")
    public double dropout;

    /** The shape of {@link GPTConfig#nanoShakespeare}. */
    public ModelShapeOptions() {
        this(GPTConfig.nanoShakespeare(1));
    }

    /** Defaults from {@code defaults}' shape; {@code --vocab-size} defaults to 0 (found from the data). */
    public ModelShapeOptions(GPTConfig defaults) {
        nLayer = defaults.nLayer();
        nHead = defaults.nHead();
        nEmbd = defaults.nEmbd();
        blockSize = defaults.blockSize();
        dropout = defaults.dropout();
    }

    /** The shape with {@code vocab} tokens, no biases, tied embeddings; a bad value is a usage error naming it. */
    public GPTConfig config(int vocab) {
        try {
            return new GPTConfig(vocab, blockSize, nLayer, nHead, nEmbd, dropout, false, true);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }
}
