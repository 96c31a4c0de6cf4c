package io.sparkgpt.serving;

import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.TokenizerFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model a server answers with: its weights, its tokenizer and the id clients name it by.
 *
 * @param id the {@code model} field of requests and responses
 */
public record ServedModel(String id, GPT gpt, BpeTokenizer tokenizer, String source) {

    public static final String CHECKPOINT = "model.ckpt";

    public ServedModel {
        if (tokenizer.vocabSize() > gpt.config().vocabSize()) {
            throw new IllegalArgumentException("tokenizer of " + source + " has " + tokenizer.vocabSize()
                    + " ids but the model only " + gpt.config().vocabSize() + " (GPTConfig.vocabSize)");
        }
    }

    /** The context length: prompt and completion together. */
    public int contextLength() {
        return gpt.config().blockSize();
    }

    /**
     * Loads a checkpoint written by pretraining or {@code GptMain train}. {@code model}: the checkpoint file, a
     * folder holding {@code model.ckpt}, or a run folder holding {@code model/model.ckpt}. {@code tokenizerDir}:
     * null = the folder the checkpoint names (its {@code tokenizer} entry), else {@code tokenizer/} beside it.
     * {@code id}: null = {@code sparkgpt-<run folder name>}.
     */
    public static ServedModel load(Path model, Path tokenizerDir, String id) {
        Path ckpt = findCheckpoint(model);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(ckpt);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + ckpt + ": " + e.getMessage(), e);
        }
        Checkpoint c = Checkpoint.fromBytes(bytes, ckpt.toString());
        Path tok = tokenizerDir != null ? tokenizerDir : findTokenizer(ckpt, c);
        BpeTokenizer tokenizer = TokenizerFiles.load(tok);
        GPT gpt = GPT.create(c.config(), 0);
        gpt.setParams(c.params());
        Path runDir = ckpt.toAbsolutePath().getParent();
        if (runDir.getFileName() != null && runDir.getFileName().toString().equals("model")
                && runDir.getParent() != null) {
            runDir = runDir.getParent();
        }
        String name = id != null ? id : "sparkgpt-" + runDir.getFileName();
        return new ServedModel(name, gpt, tokenizer, ckpt.toString());
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

    private static Path findTokenizer(Path ckpt, Checkpoint c) {
        String named = c.meta().get("tokenizer");
        if (named != null && Files.isDirectory(Path.of(named))) {
            return Path.of(named);
        }
        Path dir = ckpt.toAbsolutePath().getParent();
        for (Path p = dir; p != null && p.getNameCount() > dir.getNameCount() - 3; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("tokenizer").resolve(TokenizerFiles.VOCAB))) {
                return p.resolve("tokenizer");
            }
        }
        throw new IllegalArgumentException("no tokenizer for " + ckpt + ": the checkpoint names "
                + (named == null ? "none" : named + " (not a folder)") + " and no tokenizer/ folder is beside it;"
                + " give --tokenizer");
    }
}
