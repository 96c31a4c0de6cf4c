package io.sparkgpt.model.cli;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.export.HfExport;
import io.sparkgpt.model.export.LlmcCheckpoint;
import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.TokenizerFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gpt export}: a checkpoint as a Hugging Face GPT-2 folder (safetensors + config + tokenizer) or llm.c file. */
@Command(name = "export", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Write a checkpoint in Hugging Face's GPT-2 layout (model.safetensors, config.json, "
                + "generation_config.json, tokenizer.json, vocab.json, merges.txt, tokenizer_config.json) or as "
                + "llm.c's model file.")
final class ExportCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "checkpoint (model.ckpt, checkpoint.bin, best.bin)")
    String model;
    @Option(names = "--output", required = true, description = "folder to write (created)") String output;
    @Option(names = "--format", defaultValue = "hf", description = "hf (Hugging Face GPT-2) or llmc (llm.c's "
            + "gpt2 .bin: <output>/model.bin)") String format;
    @Option(names = "--tokenizer", description = "tokenizer folder (default: the one the checkpoint names)")
    String tokenizerDir;
    @Option(names = "--no-tokenizer", description = "model files only (e.g. a character-level model)")
    boolean noTokenizer;

    @Override
    public Integer call() {
        Checkpoint c = GptMain.loadCheckpoint(Storage.local(), model);
        Path out = Path.of(output);
        try (GPT gpt = c.toModel()) {
            List<String> files;
            if (format.equals("llmc")) {
                LlmcCheckpoint.write(gpt, mkdirs(out).resolve("model.bin"));
                files = List.of("model.bin");
            } else if (format.equals("hf")) {
                files = HfExport.write(gpt, noTokenizer ? null : tokenizer(c), mkdirs(out));
            } else {
                throw new UsageException("--format " + format + ": expected hf or llmc");
            }
            System.err.printf("export: %s (%s, %,d parameters) -> %s: %s%n", model, c.config(), gpt.numParams(),
                    out, String.join(", ", files));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
        return 0;
    }

    private BpeTokenizer tokenizer(Checkpoint c) {
        String dir = tokenizerDir != null ? tokenizerDir : c.meta().get(GptMain.TOKENIZER);
        if (dir == null) {
            throw new UsageException(model + " names no tokenizer: give --tokenizer <folder>"
                    + (c.meta().containsKey(GptMain.CHAR_VOCAB) ? " (a character-level model has none: "
                    + "--no-tokenizer)" : ""));
        }
        try {
            return TokenizerFiles.load(Path.of(dir));
        } catch (RuntimeException e) {
            throw new UsageException("tokenizer " + dir + " cannot be loaded: " + e.getMessage(), e);
        }
    }

    private static Path mkdirs(Path dir) {
        try {
            return java.nio.file.Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new UsageException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }
}
