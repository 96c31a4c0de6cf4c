package io.sparkgpt.trainer.batch;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.model.infer.Precision;
import io.sparkgpt.tokenizer.TokenizerFiles;
import java.io.Serializable;

/**
 * What an executor needs to build the model and tokenizer of a batch job: the model's path (read by each executor,
 * so it must be visible to all: a shared folder or {@code s3a://}) and the tokenizer's files as text (small, shipped
 * with the task). Errors name the option and the path.
 */
public record ModelSource(String modelPath, String version, Precision precision, String vocab, String merges, String tokenizerJson,
                          String tokenizerDir) implements Serializable {

    /** {@code --model} (a model.ckpt, a compressed model file, or a run folder holding model/model.ckpt) and
     * {@code --tokenizer} (default: the run folder's tokenizer). */
    public static ModelSource resolve(Storage storage, String model, String tokenizer, Precision precision) {
        boolean isFile = isFile(storage, model);
        String path = isFile ? model : Storage.child(Storage.child(model, "model"), "model.ckpt");
        if (!storage.exists(path)) {
            throw new UsageException("--model " + model + ": no model file (no " + path + ")");
        }
        String dir = tokenizer != null ? tokenizer : isFile ? null : Storage.child(model, "tokenizer");
        if (dir == null) {
            throw new UsageException("--tokenizer is required when --model is a model file");
        }
        storage.requireExists("--tokenizer vocabulary", Storage.child(dir, TokenizerFiles.VOCAB));
        String tj = Storage.child(dir, TokenizerFiles.TOKENIZER_JSON);
        return new ModelSource(path, version(storage, path), precision, storage.readString(Storage.child(dir, TokenizerFiles.VOCAB)),
                storage.readString(Storage.child(dir, TokenizerFiles.MERGES)),
                storage.exists(tj) ? storage.readString(tj) : null, dir);
    }

    /** Length and modification time: a model rewritten at the same path is loaded again. */
    private static String version(Storage storage, String path) {
        try {
            org.apache.hadoop.fs.FileStatus st = storage.fs(path).getFileStatus(new org.apache.hadoop.fs.Path(path));
            return st.getLen() + "@" + st.getModificationTime();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read the status of " + path, e);
        }
    }

    private static boolean isFile(Storage storage, String path) {
        try {
            return storage.fs(path).isFile(new org.apache.hadoop.fs.Path(path));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot check " + path, e);
        }
    }

    /** Identifies the model and tokenizer an executor holds. */
    String key() {
        return modelPath + "|" + version + "|" + precision + "|" + tokenizerDir + "|" + vocab.hashCode() + "|"
                + merges.hashCode();
    }
}
