package io.sparkgpt.pipeline.lang;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Frequent words that one language of a group of close kin uses and its kin do not (function words, and the few
 * common words whose spelling or form differs), counted in one pass over a text. The n-gram model confuses such kin
 * on short or technical text; a handful of their own words tells them apart. The text is read once, word by word,
 * lower-cased, with Serbian Cyrillic read as its one-to-one Latin transliteration, so one list serves both scripts.
 */
record KinMarkers(List<String> languages, Map<String, int[]> wordTo) {
    /** Builds from each language's marker words (ISO 639-3 code to words; a word may mark several languages). */
    static KinMarkers of(Map<String, Set<String>> markers) {
        List<String> langs = List.copyOf(new java.util.TreeSet<>(markers.keySet()));
        Map<String, List<Integer>> to = new HashMap<>();
        for (int i = 0; i < langs.size(); i++) {
            for (String w : markers.get(langs.get(i))) {
                to.computeIfAbsent(w, x -> new java.util.ArrayList<>()).add(i);
            }
        }
        Map<String, int[]> m = new HashMap<>();
        to.forEach((w, l) -> m.put(w, l.stream().mapToInt(Integer::intValue).toArray()));
        return new KinMarkers(langs, Map.copyOf(m));
    }

    /** How often each language's words occur in the text, in the order of {@link #languages}. */
    int[] count(CharSequence text) {
        int[] hits = new int[languages.size()];
        StringBuilder w = new StringBuilder(24);
        for (int i = 0, n = text.length(); i <= n; i++) {
            char c = i < n ? text.charAt(i) : ' ';
            if (Character.isLetter(c)) {
                String latin = c < 0x400 || c > 0x45f ? null : CYRILLIC[c - 0x400];
                if (latin != null) {
                    w.append(latin);
                } else {
                    w.append(Character.toLowerCase(c));
                }
            } else if (w.length() > 0) {
                int[] langs = wordTo.get(w.toString());
                if (langs != null) {
                    for (int l : langs) {
                        hits[l]++;
                    }
                }
                w.setLength(0);
            }
        }
        return hits;
    }

    /**
     * The language whose words occur most often, if it leads the next by at least {@code margin} occurrences;
     * null otherwise (no words, a tie, or too close to call).
     */
    String leader(int[] hits, int margin) {
        int best = -1;
        int second = 0;
        for (int i = 0; i < hits.length; i++) {
            if (best < 0 || hits[i] > hits[best]) {
                second = best < 0 ? 0 : Math.max(second, hits[best]);
                best = i;
            } else {
                second = Math.max(second, hits[i]);
            }
        }
        return best >= 0 && hits[best] > 0 && hits[best] - second >= margin ? languages.get(best) : null;
    }

    /** Serbian (and Macedonian-free) Cyrillic U+0400..U+045F, lower case, as Serbian Latin; null where none. */
    private static final String[] CYRILLIC = cyrillic();

    private static String[] cyrillic() {
        String[] t = new String[0x60];
        String lower = "абвгдђежзијклљмнњопрстћуфхцчџш";
        String[] latin = {"a", "b", "v", "g", "d", "đ", "e", "ž", "z", "i", "j", "k", "l", "lj", "m", "n", "nj", "o",
            "p", "r", "s", "t", "ć", "u", "f", "h", "c", "č", "dž", "š"};
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            t[c - 0x400] = latin[i];
            t[Character.toUpperCase(c) - 0x400] = latin[i];
        }
        return t;
    }
}
