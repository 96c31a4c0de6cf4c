package io.sparkgpt.pipeline.extract;

import io.sparkgpt.pipeline.lang.Tar;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.jsoup.Jsoup;

/**
 * A labelled set for main-content extraction in Mozilla Readability's test-page layout: one folder per page with
 * {@code source.html} (the page) and {@code expected.html} (the article). Read from a tar.gz of such folders.
 */
public final class LabelledPages {
    /** @param expectedText the expected article's visible text */
    public record Page(String name, String html, String expectedText) {}

    private LabelledPages() {}

    /** Every page of the tar.gz that has both files, sorted by folder name. */
    public static List<Page> fromTarGz(Path tarGz) throws IOException {
        Map<String, String[]> byFolder = new TreeMap<>();
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(tarGz)))) {
            for (Tar.Entry e : Tar.entries(in)) {
                String name = e.name();
                int slash = name.lastIndexOf('/');
                if (slash < 0) {
                    continue;
                }
                String file = name.substring(slash + 1);
                int which = file.equals("source.html") ? 0 : file.equals("expected.html") ? 1 : -1;
                if (which >= 0) {
                    String folder = name.substring(0, slash);
                    folder = folder.substring(folder.lastIndexOf('/') + 1);
                    byFolder.computeIfAbsent(folder, k -> new String[2])[which] =
                            new String(e.bytes(), StandardCharsets.UTF_8);
                }
            }
        }
        List<Page> out = new ArrayList<>();
        byFolder.forEach((folder, files) -> {
            if (files[0] != null && files[1] != null) {
                out.add(new Page(folder, files[0], Jsoup.parse(files[1]).body().text()));
            }
        });
        if (out.isEmpty()) {
            throw new IllegalArgumentException(tarGz + ": no folder with source.html and expected.html");
        }
        return out;
    }

    /** The URL the pages are extracted under (Readability's tests use the same fake host). */
    public static String url(Page p) {
        return "http://fakehost/test/" + p.name() + "/source.html";
    }
}
