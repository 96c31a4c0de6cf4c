package io.sparkgpt.tokenizer.augment;

import io.sparkgpt.tokenizer.chat.ChatExample;
import io.sparkgpt.tokenizer.chat.ChatMessage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The variants of one row (a document's text, or a chat example whose user turns alone are changed): for each
 * enabled augmentation, {@code copies} variants numbered from 1, each from its own {@link RowSeed} stream, so a
 * row's variants do not depend on the partitioning or on the other rows. A variant identical to the original is
 * not emitted (counted {@code <name>.unchanged}). Synonyms apply only where the caller says the row is English
 * (else counted {@code synonym.skipped_not_english}). Counters: {@code <name>.variants}, {@code <name>.edits},
 * {@code <name>.unchanged}. Not thread-safe (the thesaurus memoises): one per task.
 */
public final class RowAugmenter {
    /** One variant: the augmentation's name, its number (1..copies) and the changed text or example. */
    public record Variant<T>(String augmentation, int variant, T value, int edits) {
    }

    private final AugmentConfig config;
    private final Thesaurus thesaurus;
    private final SynonymReplacer synonym;
    private final SentenceReorder reorder;
    private final TextNoise noise;

    public RowAugmenter(AugmentConfig config, Thesaurus thesaurus) {
        this.config = config;
        this.thesaurus = thesaurus;
        this.synonym = new SynonymReplacer(config.synonymRate());
        this.reorder = new SentenceReorder(config.reorderRate());
        this.noise = new TextNoise(config.charNoiseRate(), config.wordNoiseRate());
    }

    public List<Variant<String>> text(String rowId, String text, boolean english, Map<String, Long> counters) {
        List<Variant<String>> out = new ArrayList<>();
        for (String name : config.enabled()) {
            if (skip(name, english, counters)) {
                continue;
            }
            for (int v = 1; v <= config.copies(); v++) {
                Augmented a = apply(name, text, RowSeed.random(config.seed(), rowId, name, v), Set.of());
                if (count(name, a, text, counters)) {
                    out.add(new Variant<>(name, v, a.text(), a.edits()));
                }
            }
        }
        return out;
    }

    /**
     * Variants of a chat example: every user turn transformed with one stream per variant; other turns kept.
     * Synonyms never replace a word that the assistant turns contain (the answer of a copy task).
     */
    public List<Variant<ChatExample>> chat(String rowId, ChatExample ex, boolean english, Map<String, Long> counters) {
        List<Variant<ChatExample>> out = new ArrayList<>();
        Set<String> answerWords = new HashSet<>();
        for (ChatMessage m : ex.messages()) {
            if (ChatMessage.ASSISTANT.equals(m.role())) {
                Words.of(m.content()).forEach(w -> answerWords.add(w.text().toLowerCase(Locale.ROOT)));
            }
        }
        for (String name : config.enabled()) {
            if (skip(name, english, counters)) {
                continue;
            }
            for (int v = 1; v <= config.copies(); v++) {
                SplittableRandom rng = RowSeed.random(config.seed(), rowId, name, v);
                List<ChatMessage> msgs = new ArrayList<>(ex.messages());
                int edits = 0;
                for (int i = 0; i < msgs.size(); i++) {
                    ChatMessage m = msgs.get(i);
                    if (ChatMessage.USER.equals(m.role())) {
                        Augmented a = apply(name, m.content(), rng, answerWords);
                        msgs.set(i, new ChatMessage(m.role(), a.text()));
                        edits += a.edits();
                    }
                }
                ChatExample changed = ex.withMessages(msgs);
                Augmented summary = new Augmented(null, changed.equals(ex) ? 0 : edits);
                if (count(name, summary, null, counters)) {
                    out.add(new Variant<>(name, v, changed, edits));
                }
            }
        }
        return out;
    }

    private boolean skip(String name, boolean english, Map<String, Long> counters) {
        if (SynonymReplacer.NAME.equals(name) && !english) {
            counters.merge(name + ".skipped_not_english", 1L, Long::sum);
            return true;
        }
        return false;
    }

    private static boolean count(String name, Augmented a, String original, Map<String, Long> counters) {
        boolean changed = a.changed() && (original == null || !original.equals(a.text()));
        counters.merge(name + (changed ? ".variants" : ".unchanged"), 1L, Long::sum);
        if (changed) {
            counters.merge(name + ".edits", (long) a.edits(), Long::sum);
        }
        return changed;
    }

    private Augmented apply(String name, String text, SplittableRandom rng, Set<String> keep) {
        return switch (name) {
            case SynonymReplacer.NAME -> synonym.apply(text, thesaurus, rng, keep);
            case SentenceReorder.NAME -> reorder.apply(text, rng);
            case TextNoise.NAME -> noise.apply(text, rng);
            default -> throw new IllegalArgumentException("unknown augmentation " + name);
        };
    }
}
