package io.sparkgpt.tokenizer.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.tokenizer.chat.ChatExample;
import io.sparkgpt.tokenizer.chat.ChatMessage;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Variants per augmentation and copy, counted; chat answers untouched; non-English rows skip synonyms. */
class RowAugmenterTest {
    static final AugmentConfig ALL = new AugmentConfig(0.5, 1, 0.05, 0.1, 3, 9);

    @Test
    void chatVariantsChangeOnlyUserTurns() {
        ChatExample ex = new ChatExample("f:1", List.of(ChatMessage.system("Answer with one word only."),
                ChatMessage.user("Which word comes first in this short list: river stone cloud?"),
                ChatMessage.assistant("river")), 2);
        Map<String, Long> c = new TreeMap<>();
        List<RowAugmenter.Variant<ChatExample>> out = new RowAugmenter(ALL, new WordNetThesaurus())
                .chat("f:1", ex, true, c);
        for (RowAugmenter.Variant<ChatExample> v : out) {
            assertEquals(ex.messages().get(0), v.value().messages().get(0));
            assertEquals(ex.messages().get(2), v.value().messages().get(2));
            assertNotEquals(ex.messages().get(1), v.value().messages().get(1));
            assertEquals(2, v.value().firstTarget());
        }
        // one sentence: nothing to reorder; synonyms and noise give variants
        assertEquals(3L, c.get("reorder.unchanged"));
        assertEquals(3L, c.get("noise.variants"));
        assertTrue(c.get("synonym.variants") >= 2, c.toString());
        assertEquals(out.size(), c.get("synonym.variants") + c.get("noise.variants"));
        assertEquals(out, new RowAugmenter(ALL, new WordNetThesaurus()).chat("f:1", ex, true, new TreeMap<>()));
    }

    @Test
    void nonEnglishRowsSkipSynonymsAndAreCounted() {
        Map<String, Long> c = new TreeMap<>();
        List<RowAugmenter.Variant<String>> out = new RowAugmenter(ALL, w -> List.of("zzz"))
                .text("d", "Le chat dort. Il fait beau.", false, c);
        assertEquals(1L, c.get("synonym.skipped_not_english"));
        assertTrue(out.stream().noneMatch(v -> v.augmentation().equals("synonym")));
        assertEquals(3L, c.get("reorder.variants"));
        assertEquals(List.of(1, 2, 3), out.stream().filter(v -> v.augmentation().equals("reorder"))
                .map(RowAugmenter.Variant::variant).toList());
    }

    @Test
    void synonymsNeverReplaceAWordOfTheAnswer() {
        // every list word has a synonym, and the rate is 1: only the answer word may survive, and it must
        Thesaurus all = w -> List.of(w + "-syn");
        AugmentConfig syn = new AugmentConfig(1, 0, 0, 0, 4, 3);
        ChatExample ex = new ChatExample("f:1", List.of(ChatMessage.user("Which word comes last: river basket cloud?"),
                ChatMessage.assistant("Cloud")), 1);
        Map<String, Long> c = new TreeMap<>();
        List<RowAugmenter.Variant<ChatExample>> out = new RowAugmenter(syn, all).chat("f:1", ex, true, c);
        assertEquals(4, out.size(), c.toString());
        for (RowAugmenter.Variant<ChatExample> v : out) {
            String q = v.value().messages().get(0).content();
            assertTrue(q.contains(" cloud?") && !q.contains("cloud-syn"), q);
            assertTrue(q.contains("river-syn") && q.contains("basket-syn"), q);
        }
        // a document has no answer: the same words are replaced there
        String doc = new RowAugmenter(syn, all).text("d", "river basket cloud", true, new TreeMap<>()).get(0).value();
        assertEquals("river-syn basket-syn cloud-syn", doc);
    }
}
