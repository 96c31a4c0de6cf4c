package io.sparkgpt.model.cli;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import picocli.CommandLine.Option;

/**
 * The run-folder options of {@code gpt train} and every Spark training job ({@code --output}, also spelled
 * {@code --out}, {@code --resume}, {@code --overwrite}, {@code --seed}, and {@code --config}, read by
 * {@link io.sparkgpt.common.cli.ConfigFile}), as one picocli mixin.
 */
public final class RunOptions {
    @Option(names = {"--output", "--out"}, required = true,
            description = "run folder (local or s3a://): checkpoints, metrics.jsonl, loss.png, the model")
    public String output;
    @Option(names = "--resume", description = "continue from the last complete checkpoint under --output")
    public boolean resume;
    @Option(names = "--overwrite", description = "start over, deleting what --output holds")
    public boolean overwrite;
    @Option(names = "--config", paramLabel = "<file.json>", description = "defaults of these options from a JSON "
            + "object whose keys are the long option names without dashes, e.g. {\"lr\": 0.003, \"batch-size\": 16} "
            + "(what the tuner writes as best.json); flags given here win")
    public String config;
    @Option(names = "--seed", defaultValue = "1337", description = "run seed (default: ${DEFAULT-VALUE})")
    public long seed;

    /**
     * For the Spark jobs' run folders: refuses {@code --resume} with {@code --overwrite}, and a folder that already
     * holds a run unless one of them is given; deletes it with {@code --overwrite}; removes the run's _SUCCESS (it is
     * being changed).
     */
    public void prepareOutput(Storage storage) {
        if (resume && overwrite) {
            throw new UsageException("--resume and --overwrite exclude each other");
        }
        if (overwrite) {
            storage.delete(output);
        } else if (!resume && (storage.exists(Storage.child(output, "checkpoints"))
                || storage.exists(Storage.child(output, "metrics.jsonl")))) {
            throw new UsageException("output " + output + " already holds a run: use --resume to continue it or "
                    + "--overwrite to start over");
        }
        storage.requireWritable(output);
        storage.delete(Storage.child(output, Storage.SUCCESS));
    }
}
