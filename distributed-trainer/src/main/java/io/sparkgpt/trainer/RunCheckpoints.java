package io.sparkgpt.trainer;

import io.sparkgpt.common.io.Storage;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@code <run>/checkpoints/round-NNNNNN/}: one folder per checkpoint, complete only once its {@code _SUCCESS}
 * marker is written (last, after every file in it), so a driver killed while writing leaves a folder that resume
 * ignores. Works the same on a local path and on s3a:// (no directory rename needed).
 */
public final class RunCheckpoints {
    private static final Pattern NAME = Pattern.compile("round-(\\d{6,})");

    private final Storage storage;
    private final String root;

    public RunCheckpoints(Storage storage, String runDir) {
        this.storage = storage;
        this.root = Storage.child(runDir, "checkpoints");
    }

    public String dir(int round) {
        return Storage.child(root, String.format("round-%06d", round));
    }

    /** Starts a checkpoint: removes any half-written folder of the same round. */
    public String begin(int round) {
        String d = dir(round);
        storage.delete(d);
        return d;
    }

    /** Marks it complete and removes older complete checkpoints beyond {@code keep}. */
    public void commit(int round, int keep) {
        storage.markComplete(dir(round));
        List<Integer> done = completeRounds();
        for (int i = 0; i < done.size() - keep; i++) {
            storage.delete(dir(done.get(i)));
        }
    }

    public OptionalInt latestComplete() {
        List<Integer> done = completeRounds();
        return done.isEmpty() ? OptionalInt.empty() : OptionalInt.of(done.get(done.size() - 1));
    }

    /** Rounds with a complete checkpoint, ascending. */
    public List<Integer> completeRounds() {
        List<Integer> out = new ArrayList<>();
        try {
            FileSystem fs = storage.fs(root);
            Path p = new Path(root);
            if (!fs.exists(p)) {
                return out;
            }
            for (FileStatus st : fs.listStatus(p)) {
                Matcher m = NAME.matcher(st.getPath().getName());
                if (st.isDirectory() && m.matches() && storage.isComplete(st.getPath().toString())) {
                    out.add(Integer.parseInt(m.group(1)));
                }
            }
        } catch (FileNotFoundException e) {
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + root, e);
        }
        out.sort(Integer::compare);
        return out;
    }
}
