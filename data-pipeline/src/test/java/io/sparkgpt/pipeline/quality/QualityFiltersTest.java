package io.sparkgpt.pipeline.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.sparkgpt.pipeline.step.Counters;
import io.sparkgpt.pipeline.step.Document;
import org.junit.jupiter.api.Test;

/** Each published rule fires on the text it is meant for and lets ordinary prose through. */
class QualityFiltersTest {
    static final String PROSE = String.join("\n",
            "The history of the city goes back to the Roman period, when a small fort was built on the hill.",
            "During the Middle Ages it grew into a market town with a church and a bridge over the river.",
            "In the nineteenth century the railway arrived, and with it the factories that shaped the town.",
            "Today it is known for its university, its old quarter and the festival that is held each summer.",
            "Visitors who come in the spring can walk along the river to the ruins of the abbey in the valley.",
            "The local museum holds a collection of coins, tools and letters that tell the story of the people.");

    static Document doc(String text, String lang) {
        Document d = new Document();
        d.text = text;
        d.language = lang;
        return d;
    }

    static String run(io.sparkgpt.pipeline.step.DocumentStep s, Document d) {
        return s.process(d, Counters.standalone(s.name()));
    }

    @Test
    void proseIsKeptByAllFilters() {
        assertNull(run(new GopherRepetitionFilter(GopherRepetitionFilter.Config.defaults()), doc(PROSE, "en")));
        assertNull(run(new GopherQualityFilter(GopherQualityFilter.Config.defaults()), doc(PROSE, "en")));
        assertNull(run(new C4QualityFilter(C4QualityFilter.Config.defaults()), doc(PROSE, "en")));
        assertNull(run(new FineWebQualityFilter(FineWebQualityFilter.Config.defaults()), doc(PROSE, "en")));
    }

    @Test
    void eachRuleFires() {
        GopherQualityFilter gq = new GopherQualityFilter(GopherQualityFilter.Config.defaults());
        assertEquals("gopher_short_doc", run(gq, doc("The cat sat on the mat.", "en")));
        assertEquals("gopher_not_enough_stop_words", run(gq, doc("Apples bananas cherries dates figs grapes. "
                .repeat(20), "en")));
        assertEquals("gopher_too_many_hashes", run(gq, doc("#tag #news #photo the and of to ".repeat(20), "en")));
        GopherRepetitionFilter gr = new GopherRepetitionFilter(GopherRepetitionFilter.Config.defaults());
        assertEquals("dup_line_frac", run(gr, doc(String.join("\n", java.util.Collections.nCopies(10,
                "Buy cheap watches online now with free shipping")) + "\n" + PROSE, "en")));
        assertEquals("top_2_gram", run(gr, doc("click here ".repeat(50) + PROSE.replace("\n", " "), "en")));
        C4QualityFilter c4 = new C4QualityFilter(C4QualityFilter.Config.defaults());
        assertEquals("curly_bracket", run(c4, doc(PROSE + "\nfunction f() { return 1; }", "en")));
        assertEquals("lorem_ipsum", run(c4, doc(PROSE + "\nLorem ipsum dolor sit amet.", "en")));
        Document d = doc(PROSE + "\nThis site uses cookies to improve your experience today.\nMenu", "en");
        assertNull(run(c4, d));
        assertEquals(PROSE, d.text, "policy line and short line removed");
        FineWebQualityFilter fw = new FineWebQualityFilter(FineWebQualityFilter.Config.defaults());
        assertEquals("line_punct_ratio", run(fw, doc(PROSE.replace(".", ""), "en")));
        assertEquals("short_line_ratio", run(fw, doc("Home\nNews\nSport\nWeather\n" + PROSE.substring(0, 100)
                + ".", "en")));
    }

    @Test
    void chineseWordsAreCharacters() {
        String zh = "北京是中华人民共和国的首都，也是全国的政治中心和文化中心。它有三千多年的建城历史。";
        assertEquals(zh.codePoints().filter(Words::isCjk).count(), Words.split(zh).length);
        String page = (zh + "\n").repeat(3) + "上海是中国最大的城市之一，位于长江入海口，是重要的经济中心和港口。\n"
                + "广州是华南地区的中心城市，有着悠久的对外贸易历史，美食也很有名。";
        Document d = doc(page, "zh");
        assertNull(run(new GopherQualityFilter(GopherQualityFilter.Config.defaults()), d),
                "a Chinese page of a few sentences has well over 50 words: " + d.signals);
        assertEquals("gopher_short_doc", run(new GopherQualityFilter(GopherQualityFilter.Config.defaults()),
                doc("北京是首都。", "zh")));
    }

    @Test
    void cjkFastPathAgreesWithTheScriptLookupForEveryCodePoint() {
        int differ = 0;
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            Character.UnicodeScript s = Character.UnicodeScript.of(cp);
            boolean full = s == Character.UnicodeScript.HAN || s == Character.UnicodeScript.HIRAGANA
                    || s == Character.UnicodeScript.KATAKANA || (cp >= 0x3000 && cp <= 0x303F)
                    || (cp >= 0xFF00 && cp <= 0xFF65 && !Character.isLetterOrDigit(cp));
            if (full != Words.isCjk(cp)) {
                differ++;
            }
        }
        assertEquals(0, differ);
    }
}
