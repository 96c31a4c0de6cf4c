package io.sparkgpt.pipeline.read;

import io.sparkgpt.pipeline.step.Document;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A streaming reader of one input file: yields documents and errors one at a time, so memory stays bounded
 * whatever the file's size. A reader never throws for bad input: a damaged record becomes an error item naming the
 * file and offset, and the reader goes on where it can (or ends the file where it cannot).
 */
public abstract class RecordReader implements Iterator<ReadItem>, Closeable {
    protected final String path;
    protected final String name;
    protected final ReadOptions options;
    /** read.* counters of this file (records seen, skipped by type, errors). */
    protected final Map<String, Long> counters;
    private ReadItem next;
    private boolean done;

    protected RecordReader(String path, ReadOptions options, Map<String, Long> counters) {
        this.path = path;
        this.name = fileName(path);
        this.options = options;
        this.counters = counters;
    }

    /** As {@link #open(String, InputStream, Reopener, ReadOptions, Map)}, without resync after damage. */
    public static RecordReader open(String path, InputStream in, ReadOptions options, Map<String, Long> counters) {
        return open(path, in, null, options, counters);
    }

    /**
     * Picks the reader by the file name: WARC/WET (.warc, .wet, .arc.. with or without .gz), JSONL, else text.
     * {@code reopen} (may be null) lets a WARC reader skip damage and go on with the next intact record.
     */
    public static RecordReader open(String path, InputStream in, Reopener reopen, ReadOptions options,
                                    Map<String, Long> counters) {
        String n = fileName(path).toLowerCase(Locale.ROOT);
        if (n.endsWith(".gz")) {
            n = n.substring(0, n.length() - 3);
        }
        if (n.endsWith(".jsonl") || n.endsWith(".json") || n.endsWith(".ndjson")) {
            return new JsonlReader(path, in, options, counters);
        }
        if (n.endsWith(".txt") || n.endsWith(".text") || n.endsWith(".md")) {
            return new TextFileReader(path, in, options, counters);
        }
        // .warc, .wet, .wat and anything unknown: WARC is what a crawl is made of; a file that is not WARC becomes
        // one error item naming it (the job goes on).
        return new WarcFileReader(path, in, reopen, options, counters);
    }

    /** The next item, or null at the end of the file. Must not throw for bad input. */
    protected abstract ReadItem read();

    @Override
    public final boolean hasNext() {
        if (next == null && !done) {
            next = read();
            if (next == null) {
                done = true;
            }
        }
        return next != null;
    }

    @Override
    public final ReadItem next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        ReadItem r = next;
        next = null;
        return r;
    }

    protected void count(String key) {
        counters.merge("read." + key, 1L, Long::sum);
    }

    protected void count(String key, long n) {
        if (n > 0) {
            counters.merge("read." + key, n, Long::sum);
        }
    }

    protected ReadItem error(long offset, Throwable t) {
        count("errors");
        String msg = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        return ReadItem.error(path, offset, msg.length() > 500 ? msg.substring(0, 500) : msg);
    }

    protected Document newDocument(String recordKey, long offset) {
        Document d = new Document();
        d.source = path;
        d.offset = offset;
        // the file's name (not its folder or scheme) keeps ids equal for the same crawl file read from s3a:// or
        // from a local copy, whatever the partitioning
        d.id = Document.sha256Hex(name + "\n" + recordKey);
        return d;
    }

    /** Reads up to {@code cap} bytes; returns null (and drains nothing more) when the payload is longer. */
    protected static byte[] readCapped(InputStream in, long cap) throws IOException {
        int limit = (int) Math.min(Integer.MAX_VALUE - 16, cap);
        byte[] buf = in.readNBytes(limit + 1);
        return buf.length > limit ? null : buf;
    }

    public static String fileName(String path) {
        String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        int i = p.lastIndexOf('/');
        return i < 0 ? p : p.substring(i + 1);
    }

    @Override
    public void close() throws IOException {}
}
