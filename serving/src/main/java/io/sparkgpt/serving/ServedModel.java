package io.sparkgpt.serving;

import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.infer.InferenceModel;
import io.sparkgpt.model.infer.ModelFile;
import io.sparkgpt.model.infer.ModelWeights;
import io.sparkgpt.model.infer.Precision;
import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.TokenizerFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The model a server answers with: its forward-only engine (batched KV-cache decoding, float32 or int8), its
 * tokenizer and the id clients name it by.
 *
 * @param id the {@code model} field of requests and responses
 */
public record ServedModel(String id, InferenceModel model, BpeTokenizer tokenizer, String source) {

    public static final String CHECKPOINT = "model.ckpt";

    public ServedModel {
        if (tokenizer.vocabSize() > model.shape().vocabSize()) {
            throw new IllegalArgumentException("tokenizer of " + source + " has " + tokenizer.vocabSize()
                    + " ids but the model only " + model.shape().vocabSize() + " (vocabSize)");
        }
    }

    /** The context length: prompt and completion together. */
    public int contextLength() {
        return model.shape().blockSize();
    }

    public int vocabSize() {
        return model.shape().vocabSize();
    }

    /**
     * Loads a checkpoint written by pretraining or {@code GptMain train}. {@code model}: the checkpoint file (or a compressed model file), a
     * folder holding {@code model.ckpt}, or a run folder holding {@code model/model.ckpt}. {@code tokenizerDir}:
     * null = the folder the checkpoint names (its {@code tokenizer} entry), else {@code tokenizer/} beside it.
     * {@code id}: null = {@code sparkgpt-<run folder name>}. {@code precision}: null = float32 for a checkpoint, the
     * stored one for a model file; INT8 quantizes the matrices to Q8_0 blocks.
     */
    public static ServedModel load(Path model, Path tokenizerDir, String id, Precision precision) {
        Path ckpt = findCheckpoint(model);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(ckpt);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + ckpt + ": " + e.getMessage(), e);
        }
        InferenceModel engine;
        Map<String, String> meta;
        if (ModelFile.isModelFile(bytes)) {
            // a compressed model (int8 and/or pruned): kept in its stored precision unless one is asked for
            ModelFile f = ModelFile.fromBytes(bytes, ckpt.toString());
            meta = f.meta();
            engine = f.toModel(precision);
        } else {
            Checkpoint c = Checkpoint.fromBytes(bytes, ckpt.toString());
            meta = c.meta();
            engine = InferenceModel.of(ModelWeights.of(c), precision == null ? Precision.FLOAT32 : precision);
        }
        Path tok = tokenizerDir != null ? tokenizerDir : findTokenizer(ckpt, meta);
        BpeTokenizer tokenizer = TokenizerFiles.load(tok);
        Path runDir = ckpt.toAbsolutePath().getParent();
        if (runDir.getFileName() != null && runDir.getFileName().toString().equals("model")
                && runDir.getParent() != null) {
            runDir = runDir.getParent();
        }
        String name = id != null ? id : "sparkgpt-" + runDir.getFileName();
        return new ServedModel(name, engine, tokenizer, ckpt.toString());
    }

    private static Path findCheckpoint(Path model) {
        if (Files.isRegularFile(model)) {
            return model;
        }
        for (Path p : new Path[] {model.resolve(CHECKPOINT), model.resolve("model").resolve(CHECKPOINT)}) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no checkpoint at " + model + " (looked for the file itself, "
                + model.resolve(CHECKPOINT) + " and " + model.resolve("model").resolve(CHECKPOINT) + ")");
    }

    /**
     * The folder the checkpoint names (relative to the checkpoint's folder when relative, as post-training writes
     * it), else {@code tokenizer/} or {@code data/tokenizer/} (the demo's layout) in the checkpoint's folder or the
     * two above it.
     */
    private static Path findTokenizer(Path ckpt, Map<String, String> meta) {
        Path dir = ckpt.toAbsolutePath().getParent();
        String named = meta.get("tokenizer");
        if (named != null) {
            Path p = dir.resolve(named).normalize();
            if (Files.isRegularFile(p.resolve(TokenizerFiles.VOCAB))) {
                return p;
            }
        }
        for (Path p = dir; p != null && p.getNameCount() > dir.getNameCount() - 3; p = p.getParent()) {
            for (Path cand : new Path[] {p.resolve("tokenizer"), p.resolve("data").resolve("tokenizer")}) {
                if (Files.isRegularFile(cand.resolve(TokenizerFiles.VOCAB))) {
                    return cand;
                }
            }
        }
        throw new IllegalArgumentException("no tokenizer for " + ckpt + ": the checkpoint names "
                + (named == null ? "none" : named + " (no vocab.json there)") + " and no tokenizer/ or "
                + "data/tokenizer/ folder is beside it or above it; give --tokenizer");
    }
}
