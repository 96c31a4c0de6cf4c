package io.sparkgpt.common.io;

import io.sparkgpt.common.cli.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Files on any Hadoop FileSystem (local paths, hdfs://, s3a://) with the project's completeness rule: a folder is
 * complete only with its {@code _SUCCESS} marker, and a single file is written under a temporary name and then
 * renamed, so that a half-written output is never taken for a complete one.
 */
public final class Storage {
    public static final String SUCCESS = "_SUCCESS";

    private final Configuration conf;

    public Storage(Configuration conf) {
        this.conf = conf;
    }

    /** Local-only use (tests, the single-machine trainer): the default Hadoop configuration. */
    public static Storage local() {
        return new Storage(new Configuration());
    }

    public Configuration conf() {
        return conf;
    }

    public FileSystem fs(String path) {
        try {
            return new Path(path).getFileSystem(conf);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the file system of " + path, e);
        }
    }

    public boolean exists(String path) {
        try {
            return fs(path).exists(new Path(path));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check " + path, e);
        }
    }

    /** True when {@code dir} holds its {@code _SUCCESS} marker. */
    public boolean isComplete(String dir) {
        return exists(child(dir, SUCCESS));
    }

    public void markComplete(String dir) {
        writeAtomically(child(dir, SUCCESS), new byte[0]);
    }

    public void delete(String path) {
        try {
            fs(path).delete(new Path(path), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + path, e);
        }
    }

    /** Writes {@code bytes} to a temporary sibling, then renames it over {@code path}. */
    public void writeAtomically(String path, byte[] bytes) {
        Path target = new Path(path);
        Path tmp = new Path(target.getParent(), "._tmp_" + target.getName());
        try {
            FileSystem fs = fs(path);
            try (OutputStream out = fs.create(tmp, true)) {
                out.write(bytes);
            }
            if (fs.exists(target)) {
                fs.delete(target, false);
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("rename " + tmp + " -> " + target + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }

    public void writeString(String path, String text) {
        writeAtomically(path, text.getBytes(StandardCharsets.UTF_8));
    }

    public byte[] readAll(String path) {
        try (InputStream in = fs(path).open(new Path(path))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    public String readString(String path) {
        return new String(readAll(path), StandardCharsets.UTF_8);
    }

    /**
     * Checks, before any work starts, that an output location can be written: its file system answers and the
     * folder can be created. A failure is a {@link UsageException} naming the path.
     */
    public void requireWritable(String dir) {
        try {
            FileSystem fs = fs(dir);
            Path p = new Path(dir);
            if (fs.exists(p) && !fs.getFileStatus(p).isDirectory()) {
                throw new UsageException("output " + dir + " exists and is not a folder");
            }
            fs.mkdirs(p);
        } catch (IOException | UncheckedIOException e) {
            throw new UsageException("output " + dir + " cannot be written: " + rootMessage(e), e);
        }
    }

    public void requireExists(String what, String path) {
        boolean ok;
        try {
            ok = exists(path);
        } catch (UncheckedIOException e) {
            throw new UsageException(what + " " + path + " cannot be read: " + rootMessage(e), e);
        }
        if (!ok) {
            throw new UsageException(what + " " + path + " does not exist");
        }
    }

    public static String child(String dir, String name) {
        return dir.endsWith("/") ? dir + name : dir + "/" + name;
    }

    public static URI uri(String path) {
        return new Path(path).toUri();
    }

    private static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        return r.getMessage() == null ? r.getClass().getSimpleName() : r.getMessage();
    }
}
