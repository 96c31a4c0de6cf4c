package io.sparkgpt.tokenizer.augment;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Synonym replacement on English prose: each content word (see {@link Words#content}: not a function word, not an
 * acronym, not part of a number or code) that the {@link Thesaurus} has synonyms for is replaced, with probability
 * {@code rate}, by one of them drawn at random; a capitalised word stays capitalised. Deciding whether a text is
 * English is the caller's (a language column or identifier): this class assumes it is. Words in {@code keep}
 * (lower case: a chat example's answer words) are never replaced: a copy task whose answer is a word of the prompt
 * would otherwise learn a label the prompt no longer holds ("basket" -> "handbasket", answer still "basket").
 */
public record SynonymReplacer(double rate) {
    public static final String NAME = "synonym";

    public SynonymReplacer {
        Rate.check("synonym rate", rate);
    }

    public Augmented apply(String text, Thesaurus thesaurus, SplittableRandom rng) {
        return apply(text, thesaurus, rng, Set.of());
    }

    public Augmented apply(String text, Thesaurus thesaurus, SplittableRandom rng, Set<String> keep) {
        if (rate == 0) {
            return new Augmented(text, 0);
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        int last = 0;
        int edits = 0;
        for (Words.Span s : Words.of(text)) {
            if (!Words.content(s.text())) {
                continue;
            }
            // one draw per content word whether or not it has synonyms: the stream does not depend on the thesaurus
            boolean go = rng.nextDouble() < rate;
            int pick = rng.nextInt(1 << 16);
            if (!go) {
                continue;
            }
            String lower = s.text().toLowerCase(Locale.ROOT);
            if (keep.contains(lower)) {
                continue;
            }
            List<String> syn = thesaurus.synonyms(lower);
            if (syn.isEmpty()) {
                continue;
            }
            String r = syn.get(pick % syn.size());
            if (Character.isUpperCase(s.text().charAt(0))) {
                r = Character.toUpperCase(r.charAt(0)) + r.substring(1);
            }
            out.append(text, last, s.start()).append(r);
            last = s.end();
            edits++;
        }
        out.append(text.substring(last));
        return new Augmented(out.toString(), edits);
    }
}
