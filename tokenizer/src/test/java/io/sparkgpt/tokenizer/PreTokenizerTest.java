package io.sparkgpt.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written splitters must cut exactly where java.util.regex cuts with the same pattern. */
class PreTokenizerTest {

    static List<String> byRegex(PreTokenizer p, String text) {
        Matcher m = Pattern.compile(p.regex(), Pattern.UNICODE_CHARACTER_CLASS).matcher(text);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    static List<String> ours(PreTokenizer p, String text) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int j = p.next(text, i, text.length());
            out.add(text.substring(i, j));
            i = j;
        }
        return out;
    }

    @Test
    void matchesTheRegexOnTrickyAndRandomText() {
        Random r = new Random(42);
        List<String> cases = new ArrayList<>(Corpora.tricky());
        int[] pool = {' ', ' ', ' ', '\n', '\r', '\t', '\'', 's', 'S', 't', 'l', 'v', 'e', 'r', 'd', 'm', 'a', 'Z',
            '1', '9', '!', '.', '中', '文', 'ж', '😀', 0x1F3FD, 0x00A0, 0x3000, 0x2028, 0x0301, 0x0660, 0x2167,
            0x017F, 0x0000, 0x001B, 0x0085, 0x200D};
        for (int k = 0; k < 3000; k++) {
            StringBuilder sb = new StringBuilder();
            int n = r.nextInt(30);
            for (int i = 0; i < n; i++) {
                sb.appendCodePoint(pool[r.nextInt(pool.length)]);
            }
            cases.add(sb.toString());
        }
        for (PreTokenizer p : PreTokenizer.values()) {
            for (String c : cases) {
                assertEquals(byRegex(p, c), ours(p, c), p + " on " + c.codePoints().mapToObj(Integer::toHexString).toList());
            }
        }
    }

    @Test
    void matchesTheRegexOnTheSharedTexts() {
        Map<String, String> texts = Corpora.textFiles();
        int k = 0;
        for (Map.Entry<String, String> e : texts.entrySet()) {
            if (k++ % 7 != 0) {
                continue; // a seventh of the files: the regex is slow, and Gpt2EquivalenceTest covers all of them
            }
            String t = e.getValue().length() > 50_000 ? e.getValue().substring(0, 50_000) : e.getValue();
            for (PreTokenizer p : PreTokenizer.values()) {
                assertEquals(byRegex(p, t), ours(p, t), p + " on " + e.getKey());
            }
        }
    }
}
