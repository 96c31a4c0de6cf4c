package io.sparkgpt.tokenizer.augment;

import java.util.List;

/** Synonyms of a lower-case English word in its base form, most common sense first; empty where it knows none. */
public interface Thesaurus {
    List<String> synonyms(String word);
}
