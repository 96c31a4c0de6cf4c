package io.sparkgpt.model.cli;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.model.export.HfGpt2;
import io.sparkgpt.tokenizer.TokenizerFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gpt import}: GPT-2-shaped weights in Hugging Face's layout (config.json + model.safetensors, ours or from
 * elsewhere) as one of our checkpoints, for {@code gpt sample|eval} and {@code gpt train --init}.
 */
@Command(name = "import", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Read a Hugging Face GPT-2 folder (config.json, model.safetensors; the tokenizer files when "
                + "there) into a checkpoint for sample, eval and train --init.")
final class ImportCommand implements Callable<Integer> {
    @Option(names = "--input", required = true, description = "folder with config.json and model.safetensors")
    String input;
    @Option(names = "--output", required = true, description = "checkpoint file to write (e.g. run/model.ckpt)")
    String output;

    @Override
    public Integer call() {
        Path dir = Path.of(input);
        for (String f : List.of(HfGpt2.CONFIG, HfGpt2.WEIGHTS)) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new UsageException("input " + input + " has no " + f);
            }
        }
        Map<String, String> meta = new HashMap<>();
        meta.put("imported_from", dir.toAbsolutePath().toString());
        if (Files.isRegularFile(dir.resolve(TokenizerFiles.VOCAB)) && Files.isRegularFile(dir.resolve(
                TokenizerFiles.MERGES))) {
            meta.put(GptMain.TOKENIZER, dir.toAbsolutePath().toString());
        }
        try (GPT gpt = HfGpt2.load(dir)) {
            Checkpoint c = new Checkpoint(gpt.config(), TrainConfig.defaults(), 0, gpt.params(), null, 0, 0,
                    List.of(), Double.MAX_VALUE, 0, meta);
            c.save(Storage.local(), output);
            System.err.printf("import: %s (%s, %,d parameters) -> %s%n", input, gpt.config(), gpt.numParams(),
                    output);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
        return 0;
    }
}
