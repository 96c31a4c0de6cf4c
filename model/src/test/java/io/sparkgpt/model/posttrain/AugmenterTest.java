package io.sparkgpt.model.posttrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.tokenizer.chat.ChatExample;
import io.sparkgpt.tokenizer.chat.ChatMessage;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every augmentation keeps the answer right, is counted by name, and is deterministic. */
class AugmenterTest {
    static ChatExample qa(int i, String q, String a) {
        return new ChatExample("f:" + i, List.of(ChatMessage.user(q), ChatMessage.assistant(a)), 1);
    }

    @Test
    void renumberRecomputesRewordKeepsTheAnswer() {
        List<ChatExample> in = List.of(qa(1, "What is 23 + 45?", "68"), qa(2, "What is 9 * 7?", "63"),
                qa(3, "What is 50 - 8?", "42"), qa(4, "What is 2 + 2?", "5"), qa(5, "Name a colour.", "red"));
        Map<String, Long> c = new TreeMap<>();
        List<ChatExample> out = new Augmenter(List.of("renumber", "reword"), 3, 11).apply(in, c);
        Pattern expr = Pattern.compile("(\\d+)\\s*(\\+|-|\\*|plus|minus|times)\\s*(\\d+)");
        int checked = 0;
        for (ChatExample e : out.subList(in.size(), out.size())) {
            String q = e.messages().get(0).content();
            String a = e.messages().get(1).content();
            Matcher m = expr.matcher(q);
            assertTrue(m.find(), q);
            long x = Long.parseLong(m.group(1));
            long y = Long.parseLong(m.group(3));
            long want = switch (m.group(2)) {
                case "+", "plus" -> x + y;
                case "-", "minus" -> x - y;
                default -> x * y;
            };
            if (e.origin().startsWith("f:4")) {
                assertEquals("5", a, "a wrong label is reworded but never renumbered");
            } else {
                assertEquals(Long.toString(want), a, q);
                checked++;
            }
            assertEquals(1, e.firstTarget());
        }
        assertEquals(9, checked);
        assertEquals(9L, c.get("augment.renumber.applied"));
        assertEquals(6L, c.get("augment.renumber.not_applicable"));
        assertEquals(12L, c.get("augment.reword.applied"));
        assertEquals(3L, c.get("augment.reword.not_applicable"));
        assertEquals(12L, c.get("augment.copies"));
        assertEquals(out, new Augmenter(List.of("renumber", "reword"), 3, 11).apply(in, new TreeMap<>()));
        assertNotEquals(out, new Augmenter(List.of("renumber", "reword"), 3, 12).apply(in, new TreeMap<>()));
    }

    @Test
    void shuffledChoicesMoveTheLabelWithItsOption() {
        ChatExample e = qa(1, "Which is a fruit?\nA) stone\nB) apple\nC) chair\nD) cloud", "B");
        Map<String, Long> c = new TreeMap<>();
        List<ChatExample> out = new Augmenter(List.of("shuffle-choices"), 8, 3).apply(List.of(e), c);
        boolean moved = false;
        for (ChatExample x : out) {
            String q = x.messages().get(0).content();
            String label = x.messages().get(1).content();
            Matcher m = Pattern.compile("(?m)^" + label + "\\) (.+)$").matcher(q);
            assertTrue(m.find(), q);
            assertEquals("apple", m.group(1), q);
            moved |= !label.equals("B");
        }
        assertTrue(moved, "some copy moved the answer");
        assertEquals(8L, c.get("augment.shuffle-choices.applied"));
    }

    @Test
    void noiseTouchesOnlyCaseAndSpacesOfThePrompt() {
        ChatExample e = qa(1, "What is 23 + 45?", "68");
        for (ChatExample x : new Augmenter(List.of("noise"), 5, 1).apply(List.of(e), new TreeMap<>())) {
            String q = x.messages().get(0).content();
            assertEquals("whatis23+45?", q.toLowerCase().replace(" ", ""));
            assertEquals("68", x.messages().get(1).content());
        }
        assertThrows(IllegalArgumentException.class, () -> new Augmenter(List.of("bogus"), 1, 1));
    }

    @Test
    void typosChangeLettersOfThePromptNeverItsNumbersNorTheAnswer() {
        ChatExample e = qa(1, "Please tell me which number is larger here: 23 or 45?", "45");
        Map<String, Long> c = new TreeMap<>();
        List<ChatExample> out = new Augmenter(List.of("typos"), 20, 4).apply(List.of(e), c);
        assertTrue(c.get("augment.typos.applied") >= 10, c.toString());
        for (ChatExample x : out) {
            String q = x.messages().get(0).content();
            assertTrue(q.contains("23 ") && q.endsWith("45?"), q);
            assertEquals("45", x.messages().get(1).content());
        }
        assertEquals(out, new Augmenter(List.of("typos"), 20, 4).apply(List.of(e), new TreeMap<>()));
    }

    @Test
    void comparisonsAreRewordedAndRenumberedWithTheLargerNumberAsTheAnswer() {
        List<ChatExample> in = List.of(qa(1, "Which is larger, 12 or 40?", "40"), qa(2, "Which is larger, 7 or 3?", "7"),
                qa(3, "Which is larger, 12 or 40?", "12"), qa(4, "Which is smaller, 12 or 40?", "12"));
        Map<String, Long> c = new TreeMap<>();
        List<ChatExample> out = new Augmenter(List.of("reword", "renumber"), 10, 5).apply(in, c);
        Set<String> wordings = new HashSet<>();
        for (ChatExample e : out.subList(in.size(), out.size())) {
            String q = e.messages().get(0).content();
            String a = e.messages().get(1).content();
            Matcher m = Pattern.compile("(\\d+)\\D+(\\d+)").matcher(q);
            assertTrue(m.find(), q);
            long x = Long.parseLong(m.group(1));
            long y = Long.parseLong(m.group(2));
            assertTrue(e.origin().startsWith("f:1") || e.origin().startsWith("f:2"),
                    "a wrong label and a smaller-question are left alone: " + e.origin() + " " + q);
            assertTrue(x != y, q);
            assertEquals(Long.toString(Math.max(x, y)), a, q);
            if (e.origin().startsWith("f:2")) {
                assertTrue(x < 10 && y < 10, "same digit counts: " + q);
            }
            wordings.add(q.replaceAll("\\d+", "N"));
        }
        assertTrue(wordings.size() >= 4, wordings.toString());
        assertEquals(20L, c.get("augment.renumber.applied"));
        assertEquals(20L, c.get("augment.reword.applied"));
        assertEquals(20L, c.get("augment.reword.not_applicable"));
        assertEquals(20L, c.get("augment.copies"));
    }

    @Test
    void renumberNeverCreatesAnExcludedProblemInAnyOrderOrWording() {
        // exclude 4 of every 5 two-digit pairs (and every sum with a 3): the drawn problems must be among the rest
        Set<String> excluded = new HashSet<>();
        for (int a = 10; a < 100; a++) {
            for (int b = a + 1; b < 100; b++) {
                if ((a * 31 + b) % 5 != 0) {
                    excluded.add(Augmenter.problemKey(qa(0, "Pick the larger of " + b + " and " + a + ".", "x")));
                }
            }
            excluded.add(Augmenter.problemKey(qa(0, a + " + 3 = ?", "x")));
        }
        assertTrue(excluded.contains("max:10,12") && excluded.contains("arith:3+10"), excluded.size() + "");
        assertEquals(Augmenter.problemKey(qa(0, "Which number is bigger: 40 or 12?", "40")),
                Augmenter.problemKey(qa(0, "Which is larger, 12 or 40?", "12")));
        List<ChatExample> in = List.of(qa(1, "Which is larger, 12 or 40?", "40"), qa(2, "What is 4 + 15?", "19"));
        Map<String, Long> c = new TreeMap<>();
        List<ChatExample> out = new Augmenter(List.of("reword", "renumber"), 200, 9, excluded).apply(in, c);
        int renumbered = 0;
        for (ChatExample e : out.subList(in.size(), out.size())) {
            String key = Augmenter.problemKey(e);
            assertTrue(!excluded.contains(key), e.messages().get(0).content() + " is excluded (" + key + ")");
            renumbered += key.equals("max:12,40") || key.equals("arith:4+15") ? 0 : 1;
        }
        assertTrue(renumbered > 300, "renumbered " + renumbered);
        assertTrue(c.get("augment.renumber.redrawn") > 200, c.toString());
        // without the exclusion the same seed does draw excluded problems: the test can fail
        List<ChatExample> free = new Augmenter(List.of("reword", "renumber"), 200, 9).apply(in, new TreeMap<>());
        assertTrue(free.stream().anyMatch(e -> excluded.contains(Augmenter.problemKey(e))));
    }
}
