package io.sparkgpt.pipeline.bench;

import io.sparkgpt.pipeline.lang.Tar;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.netpreserve.jwarc.HttpResponse;
import org.netpreserve.jwarc.MediaType;
import org.netpreserve.jwarc.WarcCompression;
import org.netpreserve.jwarc.WarcResponse;
import org.netpreserve.jwarc.WarcWriter;

/** The HTML pages of a tar.gz (the PostgreSQL manual), and WARC files built from them for tests and the benchmark. */
public final class HtmlCorpus {
    /**
     * A page: its name in the archive, its bytes, and, for pages taken from a crawl, the URL and the HTTP
     * Content-Type it was served with (null: a PostgreSQL manual URL and {@code text/html; charset=utf-8}).
     */
    public record Page(String name, byte[] html, String url, String contentType) {
        public Page(String name, byte[] html) {
            this(name, html, null, null);
        }
    }

    private HtmlCorpus() {}

    public static List<Page> pages(Path tarGz) throws IOException {
        List<Page> out = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(tarGz)))) {
            for (Tar.Entry e : Tar.entries(in)) {
                if (e.name().endsWith(".html") || e.name().endsWith(".htm")) {
                    out.add(new Page(e.name(), e.bytes()));
                }
            }
        }
        return out;
    }

    /**
     * Writes {@code n} pages (cycling through {@code pages}, each copy with its own URL) as HTTP 200 response
     * records into {@code files} gzip WARC files under {@code dir}; returns the HTML bytes written.
     */
    public static long writeWarcs(List<Page> pages, int n, int files, Path dir) throws IOException {
        Files.createDirectories(dir);
        long bytes = 0;
        WarcWriter[] writers = new WarcWriter[files];
        OutputStream[] outs = new OutputStream[files];
        try {
            for (int f = 0; f < files; f++) {
                outs[f] = Files.newOutputStream(dir.resolve(String.format("pages-%03d.warc.gz", f)));
                writers[f] = new WarcWriter(java.nio.channels.Channels.newChannel(outs[f]), WarcCompression.GZIP);
            }
            Instant date = Instant.parse("2024-05-20T12:00:00Z");
            for (int i = 0; i < n; i++) {
                Page p = pages.get(i % pages.size());
                int copy = i / pages.size();
                String url = p.url() != null ? (copy == 0 ? p.url() : p.url() + "#copy-" + copy)
                        : "https://www.postgresql.org/docs/15/" + copy + "/" + p.name().replaceAll(".*/", "");
                String type = p.contentType() != null ? p.contentType() : "text/html; charset=utf-8";
                HttpResponse http = new HttpResponse.Builder(200, "OK").addHeader("Content-Type", type)
                        .body(MediaType.parse(type), p.html()).build();
                // record id from the URL, not random: document ids, and so which copy dedup keeps, repeat run to run
                WarcResponse r = new WarcResponse.Builder(URI.create(url)).date(date).body(http)
                        .recordId(java.util.UUID.nameUUIDFromBytes(url.getBytes(
                                java.nio.charset.StandardCharsets.UTF_8))).build();
                writers[i % files].write(r);
                bytes += p.html().length;
            }
        } finally {
            for (int f = 0; f < files; f++) {
                if (writers[f] != null) {
                    writers[f].close();
                }
            }
        }
        return bytes;
    }
}
