package io.sparkgpt.pipeline.preprocess;

import io.sparkgpt.pipeline.read.ReadItem;
import io.sparkgpt.pipeline.read.ReadOptions;
import io.sparkgpt.pipeline.read.RecordReader;
import io.sparkgpt.pipeline.step.Counters;
import io.sparkgpt.pipeline.step.CountersAccumulator;
import io.sparkgpt.pipeline.step.DocumentStep;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;

/**
 * The executor side of the read+steps pass: each partition holds input paths (one per partition: one task per
 * file); each file is opened through Hadoop's FileSystem (local, s3a...), read one record at a time and passed
 * through the per-document steps, and rows come out lazily, so a task's memory is bounded by one record whatever
 * the file's size. A file that cannot be opened is one error row. Counters go to the accumulator when the file ends.
 */
public final class FileTask implements FlatMapFunction<Iterator<String>, Row> {
    private final List<DocumentStep> steps;
    private final ReadOptions readOptions;
    private final SerializableConf conf;
    private final CountersAccumulator counters;
    private final LongAccumulator filesDone;
    private final LongAccumulator documentsDone;
    private final LongAccumulator bytesDone;

    /** The accumulators feed the driver's progress lines: files, documents and (compressed) bytes read. */
    public FileTask(List<DocumentStep> steps, ReadOptions readOptions, Configuration conf,
                    CountersAccumulator counters, LongAccumulator filesDone, LongAccumulator documentsDone,
                    LongAccumulator bytesDone) {
        this.steps = steps;
        this.readOptions = readOptions;
        this.conf = new SerializableConf(conf);
        this.counters = counters;
        this.filesDone = filesDone;
        this.documentsDone = documentsDone;
        this.bytesDone = bytesDone;
    }

    @Override
    public Iterator<Row> call(Iterator<String> paths) {
        return new Iterator<>() {
            Iterator<Row> current = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext()) {
                    if (!paths.hasNext()) {
                        return false;
                    }
                    current = file(paths.next());
                }
                return true;
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    /** Rows of one file, produced lazily. */
    public Iterator<Row> file(String path) {
        TreeMap<String, Long> sink = new TreeMap<>();
        DocumentPipeline pipeline = new DocumentPipeline(steps, sink);
        RecordReader reader;
        CountingStream counting;
        try {
            Path p = new Path(path);
            org.apache.hadoop.fs.FileSystem fs = p.getFileSystem(conf.get());
            counting = new CountingStream(fs.open(p, 1 << 16));
            reader = RecordReader.open(path, counting, offset -> {
                org.apache.hadoop.fs.FSDataInputStream s = fs.open(p, 1 << 16);
                s.seek(offset);
                return s;
            }, readOptions, sink);
        } catch (IOException | RuntimeException e) {
            sink.merge("read.errors", 1L, Long::sum);
            sink.merge("read.files_unreadable", 1L, Long::sum);
            finish(sink, 0, 0);
            return List.of(DocumentPipeline.errorRow(path, 0, "cannot open: " + e)).iterator();
        }
        return new Iterator<>() {
            boolean closed;
            long docs;

            @Override
            public boolean hasNext() {
                if (closed) {
                    return false;
                }
                if (reader.hasNext()) {
                    return true;
                }
                closed = true;
                try {
                    reader.close();
                } catch (IOException ignored) {
                    // the file was read to its end; a failing close changes nothing we keep
                }
                sink.merge("read.files", 1L, Long::sum);
                sink.merge("read.bytes", counting.count, Long::sum);
                finish(sink, docs, counting.count);
                return false;
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                ReadItem item = reader.next();
                if (!item.isError()) {
                    docs++;
                    sink.merge("read.documents", 1L, Long::sum);
                }
                return pipeline.process(item);
            }
        };
    }

    private void finish(TreeMap<String, Long> sink, long docs, long bytes) {
        if (counters != null) {
            counters.add(sink);
            filesDone.add(1);
            documentsDone.add(docs);
            bytesDone.add(bytes);
        }
    }

    /** Counts the (compressed) bytes read from the file. */
    static final class CountingStream extends FilterInputStream {
        long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            count += s;
            return s;
        }
    }

    /** Hadoop's Configuration is Writable, not Serializable: carry it to the executors by hand. */
    static final class SerializableConf implements Serializable {
        private transient Configuration conf;

        SerializableConf(Configuration conf) {
            this.conf = conf;
        }

        Configuration get() {
            return conf;
        }

        private void writeObject(ObjectOutputStream out) throws IOException {
            out.defaultWriteObject();
            conf.write(out);
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            conf = new Configuration(false);
            conf.readFields(in);
        }
    }
}
