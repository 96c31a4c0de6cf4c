package io.sparkgpt.pipeline.read;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.sparkgpt.pipeline.step.Document;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * JSON Lines: one document per line with a {@code text} field ({@code url}, {@code id} and {@code date} are
 * used when present). A line that is not JSON, has no text, or is longer than the record cap is an error item
 * naming the file and the line's byte offset; the next line is read as usual.
 */
public final class JsonlReader extends RecordReader {
    private static final JsonFactory JSON = new JsonFactory();
    private final InputStream raw;
    private InputStream in;
    private long offset;
    private boolean ended;

    public JsonlReader(String path, InputStream in, ReadOptions options, Map<String, Long> counters) {
        super(path, options, counters);
        this.raw = in;
    }

    @Override
    protected ReadItem read() {
        while (!ended) {
            long lineStart = offset;
            byte[] line;
            try {
                if (in == null) {
                    in = Gzip.maybeGunzip(new BufferedInputStream(raw, 1 << 16), path);
                }
                line = nextLine();
            } catch (IOException | RuntimeException e) {
                ended = true;
                return error(lineStart, e);
            }
            if (line == null) {
                ended = true;
                return null;
            }
            if (line.length == 0) {
                continue;
            }
            if (line.length > options.maxRecordBytes()) {
                return error(lineStart, new IOException("line longer than " + options.maxRecordBytes() + " bytes"));
            }
            count("records");
            try {
                return parse(line, lineStart);
            } catch (IOException | RuntimeException e) {
                return error(lineStart, e);
            }
        }
        return null;
    }

    private ReadItem parse(byte[] line, long lineStart) throws IOException {
        String text = null;
        String url = null;
        String id = null;
        String date = null;
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken t = p.nextToken();
                if (t.isStructStart()) {
                    p.skipChildren();
                    continue;
                }
                String v = t == JsonToken.VALUE_NULL ? null : p.getValueAsString();
                switch (f) {
                    case "text", "content" -> text = text == null ? v : text;
                    case "url" -> url = v;
                    case "id" -> id = v;
                    case "date", "fetch_time", "timestamp" -> date = v;
                    default -> { }
                }
            }
        }
        if (text == null) {
            throw new IOException("no \"text\" field");
        }
        Document d = newDocument(id != null ? "id:" + id : "offset:" + lineStart, lineStart);
        d.url = url;
        d.text = text;
        d.html = false;
        d.httpStatus = 200;
        d.contentType = "text/plain";
        if (date != null) {
            try {
                d.fetchTime = Instant.parse(date);
            } catch (RuntimeException ignored) {
                // a date we cannot read is not worth dropping the document for
            }
        }
        return ReadItem.of(d);
    }

    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

    /** The next line without its terminator (null at the end); lines past the cap are skipped, not buffered. */
    private byte[] nextLine() throws IOException {
        buf.reset();
        long cap = options.maxRecordBytes();
        boolean over = false;
        int c;
        boolean any = false;
        while ((c = in.read()) >= 0) {
            offset++;
            any = true;
            if (c == '\n') {
                break;
            }
            if (buf.size() <= cap) {
                buf.write(c);
            } else {
                over = true;
            }
        }
        if (!any) {
            return null;
        }
        if (over) {
            return new byte[(int) Math.min(Integer.MAX_VALUE - 16, cap + 1)];
        }
        byte[] b = buf.toByteArray();
        int n = b.length;
        if (n > 0 && b[n - 1] == '\r') {
            return java.util.Arrays.copyOf(b, n - 1);
        }
        return b;
    }

    @Override
    public void close() throws IOException {
        (in != null ? in : raw).close();
    }
}
