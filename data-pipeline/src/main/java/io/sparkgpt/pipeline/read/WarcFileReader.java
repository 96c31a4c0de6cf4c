package io.sparkgpt.pipeline.read;

import io.sparkgpt.pipeline.step.Document;
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
 * <p>Damage: a record whose payload cannot be read is an error item and the reader moves to the next record. Where
 * the framing itself is broken (truncated gzip, garbage, a wrong Content-Length), the damage is one error item and,
 * given a {@link Reopener}, the reader resyncs: it opens the file again after the last record it parsed and scans
 * for the next record start (a gzip member that inflates to {@code WARC/}, or a {@code WARC/1.} line in a plain
 * file), so the good records after the damage are kept too. Common Crawl writes one gzip member per record, which
 * is what makes that scan land on record boundaries. Without a reopener the file ends at the damage.
 */
public final class WarcFileReader extends RecordReader {
    /** Bytes read at a resync candidate to check that it begins a record. */
    private static final int PROBE_BYTES = 1 << 12;
    private static final byte[] WARC_MAGIC = "WARC/".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] WARC_LINE = "WARC/1.".getBytes(StandardCharsets.US_ASCII);
    private final Reopener reopen;
    private java.io.BufferedInputStream in;
    private WarcReader reader;
    private boolean gzip;
    /** Absolute offset of the stream {@link #reader} reads (0, or where the last resync found a record). */
    private long base;
    private long lastRecordStart = -1;
    private long lastResyncAt = -1;
    private boolean ended;
    private long records;
    private long lastErrorOffset = -1;

    public WarcFileReader(String path, InputStream in, Reopener reopen, ReadOptions options,
                          Map<String, Long> counters) {
        super(path, options, counters);
        this.in = new java.io.BufferedInputStream(in, 1 << 16);
        this.reopen = reopen;
    }

    @Override
    protected ReadItem read() {
        while (!ended) {
            WarcRecord rec;
            long pos = base + (reader == null ? 0 : reader.position());
            try {
                if (reader == null) {
                    in.mark(2);
                    int b0 = in.read();
                    if (b0 < 0) {
                        ended = true;
                        count("empty_files");
                        return error(0, new java.io.EOFException("empty file"));
                    }
                    gzip = b0 == 0x1f && in.read() == 0x8b;
                    in.reset();
                    reader = new WarcReader(in);
                    reader.setLenient(true);
                }
                pos = base + reader.position();
                Optional<WarcRecord> o = reader.next();
                if (o.isEmpty()) {
                    ended = true;
                    if (records == 0 && base == 0) {
                        return error(0, new java.io.IOException("no WARC record found: not a WARC file?"));
                    }
                    return null;
                }
                rec = o.get();
            } catch (Exception | StackOverflowError e) {
                // a record whose payload failed usually fails the reader's skip to the next one too: name it once
                ReadItem damage = pos == lastErrorOffset ? null : error(pos, e);
                lastErrorOffset = pos;
                resync();
                if (damage != null) {
                    return damage;
                }
                continue;
            }
            records++;
            count("records");
            long offset = base + rec.position();
            lastRecordStart = Math.max(lastRecordStart, offset);
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

    /**
     * Moves {@link #reader} to the first record start after the last record parsed (and after the last resync point,
     * so every resync moves forward), or ends the file. Scanning from the last record rather than from where the
     * failure showed recovers a record that a corrupted Content-Length made the parser swallow.
     */
    private void resync() {
        closeQuietly();
        reader = null;
        if (reopen == null) {
            ended = true;
            return;
        }
        long from = Math.max(0, Math.max(lastRecordStart, lastResyncAt)) + 1;
        try {
            java.io.BufferedInputStream b = new java.io.BufferedInputStream(reopen.openAt(from), 1 << 16);
            in = b;
            int first = gzip ? 0x1f : 'W';
            int prev = -1;
            long at = from;
            boolean found = false;
            while (true) {
                b.mark(PROBE_BYTES);
                int c = b.read();
                if (c < 0) {
                    break;
                }
                if (c == first && (gzip || prev == '\n')) {
                    b.reset();
                    byte[] probe = b.readNBytes(PROBE_BYTES);
                    b.reset();
                    found = gzip ? inflatesToWarc(probe) : startsWith(probe, WARC_LINE);
                    if (found) {
                        break;
                    }
                    b.read();
                }
                prev = c;
                at++;
            }
            count("resync_scanned_bytes", at - from);
            if (!found) {
                ended = true;
                return;
            }
            base = at;
            lastResyncAt = at;
            count("resyncs");
            reader = new WarcReader(b);
            reader.setLenient(true);
        } catch (Exception e) {
            ended = true;
            closeQuietly();
        }
    }

    private static boolean inflatesToWarc(byte[] probe) {
        if (probe.length < 10 || (probe[0] & 0xff) != 0x1f || (probe[1] & 0xff) != 0x8b || probe[2] != 8) {
            return false;
        }
        try (InputStream z = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(probe), 512)) {
            return startsWith(z.readNBytes(WARC_MAGIC.length), WARC_MAGIC);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        return b.length >= prefix.length && java.util.Arrays.equals(b, 0, prefix.length, prefix, 0, prefix.length);
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException ignored) {
            // the stream is being dropped for a fresh one (or for good): nothing to keep from it
        }
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
        } else if (in != null) {
            in.close();
        }
    }
}
