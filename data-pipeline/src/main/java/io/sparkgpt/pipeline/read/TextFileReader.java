package io.sparkgpt.pipeline.read;

import io.sparkgpt.pipeline.step.Document;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A plain text file (optionally gzip) is one document, read as UTF-8. A file over the record cap is marked
 * truncated (the select step drops it as too_large) and is never buffered whole.
 */
public final class TextFileReader extends RecordReader {
    private final InputStream raw;
    private boolean done;

    public TextFileReader(String path, InputStream in, ReadOptions options, Map<String, Long> counters) {
        super(path, options, counters);
        this.raw = in;
    }

    @Override
    protected ReadItem read() {
        if (done) {
            return null;
        }
        done = true;
        try {
            InputStream in = Gzip.maybeGunzip(new BufferedInputStream(raw, 1 << 16), path);
            byte[] b = readCapped(in, options.maxRecordBytes());
            if (b != null && b.length == 0) {
                count("skipped.empty_file");
                return null;
            }
            count("records");
            Document d = newDocument("file", 0);
            d.html = false;
            d.httpStatus = 200;
            d.contentType = "text/plain";
            d.truncated = b == null;
            d.text = b == null ? null : new String(b, StandardCharsets.UTF_8);
            return ReadItem.of(d);
        } catch (IOException | RuntimeException e) {
            return error(0, e);
        }
    }

    @Override
    public void close() throws IOException {
        raw.close();
    }
}
