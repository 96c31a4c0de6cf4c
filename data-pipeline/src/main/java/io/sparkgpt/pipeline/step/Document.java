package io.sparkgpt.pipeline.step;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.TreeMap;

/**
 * One document on its way through the per-document steps. Mutable on purpose: each step fills or rewrites a field
 * (raw bytes become html, html becomes text, text gets a language and signals), and a document lives only inside
 * one task, so nothing is shared between threads.
 */
public final class Document {
    /** Stable id: sha-256 of the source file's name and the record's id or offset. */
    public String id;
    public String url;
    /** The input file (full path as given). */
    public String source;
    /** Byte offset of the record in its file (WARC) or of its line (JSONL); 0 for a whole-file document. */
    public long offset;
    public Instant fetchTime;
    /** The payload as read: HTML bytes before decoding; null for inputs that are text already. */
    public byte[] raw;
    /** True when the payload is HTML (needs decoding and extraction), false for WET records, text and JSONL. */
    public boolean html;
    public String contentType;
    public int httpStatus;
    /** The charset the HTTP header declared, if any. */
    public String declaredCharset;
    /** Set when the reader had to stop early (payload over the size cap). */
    public boolean truncated;
    /** Decoded HTML (after the decode step). */
    public String htmlText;
    public String text;
    public String language;
    public double languageScore = Double.NaN;
    public final TreeMap<String, Double> signals = new TreeMap<>();
    /** Words of {@link #wordsOf} (a cache shared by the quality filters; recomputed when the text changed). */
    public String[] words;
    public String wordsOf;

    /** Bytes of what the document is now: the raw payload before extraction, the UTF-8 text after. */
    public long size() {
        if (text != null) {
            return utf8Length(text);
        }
        if (htmlText != null) {
            return raw != null ? raw.length : utf8Length(htmlText);
        }
        return raw == null ? 0 : raw.length;
    }

    static long utf8Length(String s) {
        long n = 0;
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    public static String sha256Hex(String s) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            StringBuilder b = new StringBuilder(64);
            for (byte x : d) {
                b.append(Character.forDigit((x >> 4) & 15, 16)).append(Character.forDigit(x & 15, 16));
            }
            return b.toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
