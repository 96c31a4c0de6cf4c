package io.sparkgpt.pipeline.read;

import io.sparkgpt.pipeline.preprocess.Document;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.netpreserve.jwarc.HttpResponse;
import org.netpreserve.jwarc.MediaType;
import org.netpreserve.jwarc.WarcConversion;
import org.netpreserve.jwarc.WarcReader;
import org.netpreserve.jwarc.WarcRecord;
import org.netpreserve.jwarc.WarcResource;
import org.netpreserve.jwarc.WarcResponse;

/**
 * WARC and WET files (plain or gzip, WARC 1.0/1.1) through jwarc, one record at a time. Yields HTTP responses and
 * resource records (with their status and content type: the select step decides), and WET conversion records as
 * text documents. Requests, metadata, warcinfo and revisits are counted and skipped. The payload is read only for
 * the records that can become documents (HTTP 200, HTML), and only up to {@link ReadOptions#maxRecordBytes()}.
 *
 * <p>Damage: a record whose payload cannot be read is an error item and the reader moves to the next record; a
 * file whose record framing is broken (truncated gzip, garbage, a wrong Content-Length) ends there with one error
 * item: every record before the damage has been yielded.
 */
public final class WarcFileReader extends RecordReader {
    private final java.io.BufferedInputStream in;
    private WarcReader reader;
    private boolean ended;
    private long records;
    private long lastErrorOffset = -1;

    public WarcFileReader(String path, InputStream in, ReadOptions options, Map<String, Long> counters) {
        super(path, options, counters);
        this.in = new java.io.BufferedInputStream(in, 1 << 16);
    }

    @Override
    protected ReadItem read() {
        while (!ended) {
            WarcRecord rec;
            long pos = reader == null ? 0 : reader.position();
            try {
                if (reader == null) {
                    in.mark(1);
                    if (in.read() < 0) {
                        ended = true;
                        count("empty_files");
                        return error(0, new java.io.EOFException("empty file"));
                    }
                    in.reset();
                    reader = new WarcReader(in);
                    reader.setLenient(true);
                }
                pos = reader.position();
                Optional<WarcRecord> o = reader.next();
                if (o.isEmpty()) {
                    ended = true;
                    if (records == 0) {
                        return error(0, new java.io.IOException("no WARC record found: not a WARC file?"));
                    }
                    return null;
                }
                rec = o.get();
            } catch (Exception | StackOverflowError e) {
                ended = true;
                // a record whose payload failed usually fails the reader's skip to the next one too: name it once
                return pos == lastErrorOffset ? null : error(pos, e);
            }
            records++;
            count("records");
            long offset = rec.position();
            try {
                ReadItem item = toItem(rec, offset);
                if (item != null) {
                    return item;
                }
            } catch (Exception | StackOverflowError e) {
                lastErrorOffset = offset;
                return error(offset, e);
            }
        }
        return null;
    }

    private ReadItem toItem(WarcRecord rec, long offset) throws IOException {
        if (rec instanceof WarcResponse resp) {
            MediaType warcType = rec.contentType();
            if (!"application".equals(warcType.type()) || !warcType.subtype().startsWith("http")) {
                count("skipped.response_not_http");
                return null;
            }
            HttpResponse http = resp.http();
            Document d = newDocument(recordKey(rec, offset), offset);
            d.url = resp.target();
            d.fetchTime = date(rec);
            d.httpStatus = http.status();
            String ct = http.headers().first("Content-Type").orElse("");
            d.contentType = baseType(ct);
            d.declaredCharset = charsetParam(ct);
            d.html = isHtml(d.contentType);
            if (d.httpStatus == 200 && d.html) {
                // the raw body, decoded here rather than by jwarc's bodyDecoded(): crawlers often store the
                // decoded payload but keep "Content-Encoding: gzip" or "Transfer-Encoding: chunked" headers
                byte[] body;
                try (InputStream in = http.body().stream()) {
                    body = readCapped(in, options.maxRecordBytes());
                }
                d.raw = body == null ? null : HttpBodies.decode(body, http.headers().first("Transfer-Encoding")
                        .orElse(""), http.headers().first("Content-Encoding").orElse(""), options.maxRecordBytes());
                d.truncated = d.raw == null;
            }
            return ReadItem.of(d);
        }
        if (rec instanceof WarcResource res) {
            Document d = newDocument(recordKey(rec, offset), offset);
            d.url = res.target();
            d.fetchTime = date(rec);
            d.httpStatus = 200;
            MediaType t = rec.contentType();
            d.contentType = t.base().toString().toLowerCase(Locale.ROOT);
            d.declaredCharset = t.parameters().get("charset");
            d.html = isHtml(d.contentType);
            if (d.html) {
                d.raw = readCapped(res.body().stream(), options.maxRecordBytes());
                d.truncated = d.raw == null;
            }
            return ReadItem.of(d);
        }
        if (rec instanceof WarcConversion conv) {
            Document d = newDocument(recordKey(rec, offset), offset);
            d.url = conv.target();
            d.fetchTime = date(rec);
            d.httpStatus = 200;
            d.contentType = "text/plain";
            d.html = false;
            byte[] b = readCapped(conv.body().stream(), options.maxRecordBytes());
            d.truncated = b == null;
            // WET text is UTF-8 by Common Crawl's definition
            d.text = b == null ? null : new String(b, StandardCharsets.UTF_8);
            return ReadItem.of(d);
        }
        count("skipped." + rec.type().replaceAll("[^A-Za-z0-9_-]", "_"));
        return null;
    }

    /** WARC-Date, or null when it cannot be parsed (ClueWeb22 has days like "294"): not a reason to drop. */
    private static java.time.Instant date(WarcRecord rec) {
        try {
            return rec.date();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String recordKey(WarcRecord rec, long offset) {
        try {
            return rec.id().toString();
        } catch (RuntimeException e) {
            return "offset:" + offset;
        }
    }

    static boolean isHtml(String contentType) {
        return contentType.equals("text/html") || contentType.equals("application/xhtml+xml")
                || contentType.equals("application/xhtml") || contentType.equals("text/xhtml");
    }

    static String baseType(String contentType) {
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    static String charsetParam(String contentType) {
        String lower = contentType.toLowerCase(Locale.ROOT);
        int i = lower.indexOf("charset=");
        if (i < 0) {
            return null;
        }
        String v = contentType.substring(i + 8).trim();
        int end = 0;
        while (end < v.length() && v.charAt(end) != ';' && v.charAt(end) != ' ' && v.charAt(end) != ',') {
            end++;
        }
        v = v.substring(0, end).replace("\"", "").replace("'", "");
        return v.isEmpty() ? null : v;
    }

    @Override
    public void close() throws IOException {
        if (reader != null) {
            reader.close();
        } else {
            in.close();
        }
    }
}
