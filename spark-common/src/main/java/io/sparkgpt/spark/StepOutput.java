package io.sparkgpt.spark;

import io.sparkgpt.common.io.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * One step's output folder under a job's output, with the project's completeness rule: a step writes into
 * {@code <dir>._tmp}, and only when everything is written is that renamed to {@code <dir>} and marked with
 * {@code _SUCCESS}. A re-run skips complete steps and redoes incomplete ones; {@code --overwrite} starts over.
 */
public final class StepOutput {
    private final Storage storage;
    private final String dir;

    public StepOutput(SparkSession spark, String dir) {
        this(new Storage(spark.sparkContext().hadoopConfiguration()), dir);
    }

    public StepOutput(Storage storage, String dir) {
        this.storage = storage;
        this.dir = dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir;
    }

    public String path() {
        return dir;
    }

    /** Where the step writes before it is committed. */
    public String tempPath() {
        return dir + "._tmp";
    }

    public boolean isComplete() {
        return storage.isComplete(dir);
    }

    /** Removes the step's output and any half-written temporary folder. */
    public void clear() {
        storage.delete(tempPath());
        storage.delete(dir);
    }

    /** Moves the temporary folder into place and writes the marker last. */
    public void commit() {
        try {
            FileSystem fs = storage.fs(dir);
            Path tmp = new Path(tempPath());
            Path target = new Path(dir);
            if (!fs.exists(tmp)) {
                throw new IOException("nothing to commit: " + tmp + " does not exist");
            }
            fs.delete(new Path(tmp, Storage.SUCCESS), false);
            if (fs.exists(target)) {
                fs.delete(target, true);
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("rename " + tmp + " -> " + target + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot commit step output " + dir, e);
        }
        storage.markComplete(dir);
    }
}
