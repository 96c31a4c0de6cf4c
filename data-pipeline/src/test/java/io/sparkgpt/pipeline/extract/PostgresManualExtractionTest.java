package io.sparkgpt.pipeline.extract;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.pipeline.TestData;
import io.sparkgpt.pipeline.bench.HtmlCorpus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

/**
 * Main-content extraction on the PostgreSQL 15 manual (real pages with navigation header and footer tables): every
 * 8th page, the navigation is gone, the title is there, and the page's paragraphs are kept.
 */
class PostgresManualExtractionTest {
    @Test
    void navigationRemovedContentKept() throws Exception {
        List<HtmlCorpus.Page> pages = HtmlCorpus.pages(TestData.shared()
                .resolve("html/postgresql-doc-15_15.20-html-every-4th-page.tar.gz"));
        assertTrue(pages.size() > 250, "pages (every 4th of the manual's 1169): " + pages.size());
        MainContentExtractor x = new MainContentExtractor();
        long paragraphs = 0;
        long paragraphsKept = 0;
        int checked = 0;
        int withNav = 0;
        for (int i = 0; i < pages.size(); i += 2) { // every 8th page of the manual: the bundled subset is every 4th
            String html = new String(pages.get(i).html(), StandardCharsets.UTF_8);
            String text = x.extract(html, "https://www.postgresql.org/docs/15/" + pages.get(i).name());
            org.jsoup.nodes.Document d = Jsoup.parse(html);
            checked++;
            for (String line : text.split("\n")) {
                if (line.matches(".*\\b(Prev\\s+Up|Home\\s+Next)\\b.*")
                        || line.strip().matches("(Prev|Next|Up|Home)(\\s+(Prev|Next|Up|Home))*")
                        || line.contains("Submit correction")) {
                    withNav++;
                    System.out.println("navigation? " + pages.get(i).name() + ": " + line);
                    break;
                }
            }
            for (Element p : d.select("div.navheader ~ * p, div.sect1 p, div.refsect1 p, div.chapter p")) {
                String t = p.text();
                if (t.length() >= 80 && p.closest(".navfooter, .navheader, .toc") == null) {
                    paragraphs++;
                    if (text.replace('\u00a0', ' ').contains(t.replace('\u00a0', ' ').substring(0, 60))) {
                        paragraphsKept++;
                    }
                }
            }
            Element h = d.selectFirst("h1, h2");
            String title = h == null ? "" : h.text().replace('\u00a0', ' ');
            // pages that are only a table of contents have no content to title: they may come out empty
            boolean hasProse = d.select("p").stream().anyMatch(p -> p.text().length() >= 80);
            if (!title.isBlank() && hasProse) {
                assertTrue(text.replace('\u00a0', ' ').contains(title.substring(0, Math.min(20, title.length()))),
                        pages.get(i).name() + " lost its title " + h.text());
            }
        }
        double recall = (double) paragraphsKept / paragraphs;
        System.out.printf("PostgreSQL manual: %d pages, %d long paragraphs, %.3f kept, %d pages with navigation%n",
                checked, paragraphs, recall, withNav);
        assertTrue(paragraphs > 300, "paragraphs " + paragraphs);
        assertTrue(recall >= 0.95, "paragraph recall " + recall);
        assertFalse(withNav > 0, withNav + " pages kept navigation lines");
    }
}
