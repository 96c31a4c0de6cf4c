package io.sparkgpt.trainer.batch;

import io.sparkgpt.common.io.Storage;
import io.sparkgpt.model.infer.Precision;
import io.sparkgpt.spark.StepOutput;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/**
 * The options both batch-inference jobs take (model, tokenizer, input, output, precision, partitions, overwrite), as
 * one picocli mixin, and the steps they start with: skip a complete output, resolve the model, read the input.
 */
final class BatchOptions {
    @Option(names = "--model", required = true, description = "model.ckpt, a compressed model file, or a run folder")
    String model;
    @Option(names = "--tokenizer", description = "tokenizer folder (default: <run>/tokenizer)")
    String tokenizer;
    @Option(names = "--input", required = true, description = "prompts (generate) or documents (score): Parquet, "
            + "or JSON lines (.jsonl[.gz])")
    String input;
    @Option(names = "--output", required = true, description = "output folder: completions/ (generate) or scored/ "
            + "(score), errors/, stats.json")
    String output;
    @Option(names = "--precision", defaultValue = "FLOAT32",
            description = "FLOAT32 or INT8 (default: ${DEFAULT-VALUE})")
    Precision precision;
    @Option(names = "--partitions", defaultValue = "0", description = "0 = as read (default: ${DEFAULT-VALUE})")
    int partitions;
    @Option(names = "--overwrite", description = "redo a complete output")
    boolean overwrite;

    /**
     * The job's output folder, or null when it is already complete and {@code --overwrite} is not given (said on
     * stdout: the job has nothing to do); checks that {@code --input} exists.
     */
    StepOutput open(Storage storage, String job) {
        StepOutput out = new StepOutput(storage, output);
        if (out.isComplete() && !overwrite) {
            System.out.println(job + ": " + output + " is complete (--overwrite to redo)");
            return null;
        }
        storage.requireExists("--input", input);
        return out;
    }

    ModelSource model(Storage storage) {
        return ModelSource.resolve(storage, model, tokenizer, precision);
    }

    BatchInput read(SparkSession spark, String column) {
        return BatchInput.read(spark, input, column, partitions);
    }
}
