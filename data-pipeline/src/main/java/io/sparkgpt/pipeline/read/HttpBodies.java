package io.sparkgpt.pipeline.read;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Undoes HTTP transfer and content encodings of a stored body, leniently: the headers are taken as hints and the
 * bytes decide (a body that says chunked but is not, or says gzip but does not start with the gzip magic, is
 * returned as stored). Decompression is capped like every payload (a zip bomb becomes too_large: null).
 */
final class HttpBodies {
    private HttpBodies() {}

    static byte[] decode(byte[] body, String transferEncoding, String contentEncoding, long cap) throws IOException {
        byte[] b = body;
        if (transferEncoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            byte[] dechunked = dechunk(b);
            if (dechunked != null) {
                b = dechunked;
            }
        }
        String ce = contentEncoding.toLowerCase(Locale.ROOT).trim();
        try {
            if ((ce.contains("gzip") || ce.contains("x-gzip")) && b.length > 2 && (b[0] & 0xff) == 0x1f
                    && (b[1] & 0xff) == 0x8b) {
                return RecordReader.readCapped(new GZIPInputStream(new ByteArrayInputStream(b)), cap);
            }
            if (ce.contains("deflate") && b.length > 2) {
                boolean zlib = (b[0] & 0x0f) == 8 && ((b[0] & 0xff) * 256 + (b[1] & 0xff)) % 31 == 0;
                InputStream in = new InflaterInputStream(new ByteArrayInputStream(b), new Inflater(!zlib));
                return RecordReader.readCapped(in, cap);
            }
        } catch (IOException e) {
            // a body that the header says is compressed but is not (or is cut short): keep what was stored
            return b;
        }
        return b;
    }

    /** Decodes chunked transfer encoding; null when the bytes are not chunked after all. */
    static byte[] dechunk(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length);
        int i = 0;
        while (i < b.length) {
            int lineEnd = i;
            while (lineEnd < b.length && b[lineEnd] != '\n') {
                lineEnd++;
            }
            if (lineEnd >= b.length) {
                return out.size() > 0 ? out.toByteArray() : null;
            }
            String sizeLine = new String(b, i, lineEnd - i, java.nio.charset.StandardCharsets.ISO_8859_1).trim();
            int semi = sizeLine.indexOf(';');
            if (semi >= 0) {
                sizeLine = sizeLine.substring(0, semi).trim();
            }
            int size;
            try {
                size = Integer.parseInt(sizeLine, 16);
            } catch (NumberFormatException e) {
                return out.size() > 0 ? out.toByteArray() : null;
            }
            if (size == 0) {
                return out.toByteArray();
            }
            int start = lineEnd + 1;
            int end = Math.min(b.length, start + size);
            out.write(b, start, end - start);
            i = end;
            while (i < b.length && (b[i] == '\r' || b[i] == '\n')) {
                i++;
            }
        }
        return out.toByteArray();
    }
}
