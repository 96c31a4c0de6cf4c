package io.sparkgpt.model.cli;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gpt logits}: the logits at every position of a context, as raw float32, for checks by other code. */
@Command(name = "logits", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Write the logits of every position of --ids as little-endian float32 [T, vocab] (to compare "
                + "with another implementation, e.g. bench/export/check_torch.py).")
final class LogitsCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true) String checkpoint;
    @Option(names = "--ids", required = true, split = ",", description = "token ids, comma-separated") int[] ids;
    @Option(names = "--output", required = true, description = "file to write") String output;

    @Override
    public Integer call() throws IOException {
        Checkpoint c = GptMain.loadCheckpoint(Storage.local(), checkpoint);
        if (ids.length == 0 || ids.length > c.config().blockSize()) {
            throw new UsageException("--ids: 1 to " + c.config().blockSize() + " ids (the block size)");
        }
        for (int id : ids) {
            if (id < 0 || id >= c.config().vocabSize()) {
                throw new UsageException("--ids: " + id + " is outside the vocabulary 0.."
                        + (c.config().vocabSize() - 1));
            }
        }
        try (GPT gpt = c.toModel()) {
            float[][] logits = gpt.allLogits(ids);
            ByteBuffer b = ByteBuffer.allocate(4 * logits.length * logits[0].length).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] row : logits) {
                for (float f : row) {
                    b.putFloat(f);
                }
            }
            Files.write(Path.of(output), b.array());
        }
        return 0;
    }
}
