package io.sparkgpt.pipeline.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.pipeline.TestData;
import io.sparkgpt.pipeline.lang.LanguageIdentifier;
import io.sparkgpt.pipeline.lang.Tar;
import io.sparkgpt.pipeline.preprocess.Pipelines;
import io.sparkgpt.pipeline.quality.C4QualityFilter;
import io.sparkgpt.pipeline.quality.FineWebQualityFilter;
import io.sparkgpt.pipeline.quality.GopherQualityFilter;
import io.sparkgpt.pipeline.quality.GopherRepetitionFilter;
import io.sparkgpt.pipeline.quality.Words;
import io.sparkgpt.pipeline.read.ReadItem;
import io.sparkgpt.pipeline.step.Counters;
import io.sparkgpt.pipeline.step.Document;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** GBK/GB2312/windows-1251 pages of the Common Crawl sample decode right; word rules work on Chinese text. */
class ChinesePagesTest {
    static double han(String s) {
        long han = s.codePoints().filter(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN).count();
        long letters = s.codePoints().filter(Character::isLetter).count();
        return letters == 0 ? 0 : (double) han / letters;
    }

    static long replacements(String s) {
        return s.chars().filter(c -> c == 0xFFFD).count();
    }

    @Test
    void legacyChineseCharsetsDecode() throws Exception {
        int gbPages = 0;
        int hanPages = 0;
        for (ReadItem i : Pipelines.read(TestData.warc("resiliparse-warcfile.warc.gz"))) {
            Document d = i.document();
            if (d == null || d.raw == null) {
                continue;
            }
            String head = new String(d.raw, 0, Math.min(d.raw.length, 3000), StandardCharsets.ISO_8859_1)
                    .toLowerCase();
            boolean gb = head.contains("charset=gb") || "gb2312".equalsIgnoreCase(d.declaredCharset);
            CharsetDetection.Result r = CharsetDetection.detect(d.raw, d.declaredCharset);
            String html = CharsetDetection.decode(d.raw, r.charset());
            if (gb) {
                gbPages++;
                assertEquals("GB18030", r.charset().name(), d.url);
                assertTrue(replacements(html) * 1000 < html.length(), d.url + " has U+FFFD: " + replacements(html));
                String visible = org.jsoup.Jsoup.parse(html).text();
                if (han(visible) > 0.5) {
                    hanPages++;
                }
                // the same bytes read as UTF-8 are garbage: the test would see a wrong decision
                String wrong = new String(d.raw, StandardCharsets.UTF_8);
                assertTrue(replacements(wrong) > 50, d.url);
            }
            if (d.url.contains("01spb.ru")) {
                assertEquals(Charset.forName("windows-1251"), r.charset());
                assertTrue(html.contains("\u041e") || html.chars().filter(c -> c >= 0x410 && c <= 0x44F).count() > 200);
            }
        }
        assertTrue(gbPages >= 5, "GB pages found: " + gbPages);
        // one GB2312 page (037426.cn) is almost all links and digits: its few Han characters are right, not many
        assertTrue(hanPages >= gbPages - 1, hanPages + " of " + gbPages + " GB pages read as mostly Han text");
    }

    @Test
    void detectorDecidesWithoutDeclarations() {
        String zh = "中华人民共和国是工人阶级领导的、以工农联盟为基础的人民民主专政的社会主义国家。".repeat(20);
        String ja = "日本国民は、正当に選挙された国会における代表者を通じて行動し、われらとわれらの子孫のために。".repeat(20);
        String zhHant = "中華民國基於三民主義，為民有民治民享之民主共和國。中華民國之主權屬於國民全體。".repeat(20);
        for (String[] t : new String[][] {{zh, "GBK"}, {zhHant, "Big5"}, {ja, "Shift_JIS"}, {ja, "EUC-JP"}}) {
            byte[] b = ("<html><body><p>" + t[0] + "</p></body></html>").getBytes(Charset.forName(t[1]));
            CharsetDetection.Result r = CharsetDetection.detect(b, null);
            String s = CharsetDetection.decode(b, r.charset());
            assertTrue(s.contains(t[0].substring(0, 10)), t[1] + " decided as " + r.charset() + " by " + r.method());
        }
    }

    @Test
    void wordRulesWorkOnChineseChapters() throws Exception {
        List<Tar.Entry> entries;
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(
                TestData.shared().resolve("html/debian-reference_2.100-html-zhcn-12-chapters.tar.gz"))))) {
            entries = Tar.entries(in);
        }
        LanguageIdentifier lid = new LanguageIdentifier(LanguageIdentifier.DEFAULT_MAX_CHARS);
        int zhPages = 0;
        int passedGopher = 0;
        for (Tar.Entry e : entries) {
            if (!e.name().endsWith(".html") || !e.name().contains("zh-cn")) {
                continue;
            }
            String html = new String(e.bytes(), StandardCharsets.UTF_8);
            Document d = new Document();
            d.text = new MainContentExtractor().extract(html, null);
            if (d.text.length() < 2000) {
                continue;
            }
            zhPages++;
            LanguageIdentifier.Guess g = lid.identify(d.text);
            assertEquals("zh", g.language(), e.name());
            d.language = g.language();
            int words = Words.of(d).length;
            long han = d.text.codePoints().filter(Words::isCjk).count();
            assertTrue(words >= han, "each Han character is a word: " + words + " < " + han);
            String reason = new GopherQualityFilter(GopherQualityFilter.Config.defaults()).process(d,
                    Counters.standalone("gopher_quality"));
            if (reason == null) {
                passedGopher++;
            } else {
                System.out.println(e.name() + " gopher: " + reason + " " + d.signals);
            }
        }
        System.out.printf("zh-cn chapters: %d, kept by Gopher quality: %d%n", zhPages, passedGopher);
        assertTrue(zhPages >= 10, "zh pages " + zhPages);
        assertTrue(passedGopher >= zhPages * 0.7, "Gopher rules must not drop real Chinese prose: " + passedGopher);
    }
}
