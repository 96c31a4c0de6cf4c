package io.sparkgpt.pipeline.lang;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Frequent words that one language of a group of close kin uses and its kin do not (function words, and the few
 * common words whose spelling or form differs), counted in one pass over a text. The n-gram model confuses such kin
 * on short or technical text; a handful of their own words tells them apart. The text is read once, word by word,
 * lower-cased, with Serbian Cyrillic read as its one-to-one Latin transliteration, so one list serves both scripts.
 * Each word is looked up where it is built (a char buffer and its running hash against an open-addressing table of
 * the marker words): no String per word of the text.
 */
final class KinMarkers {
    private final List<String> languages;
    /** Marker words by slot (null: free), and each one's languages as indices into {@link #languages}. */
    private final String[] words;
    private final int[][] languagesOf;
    /** Length of the longest marker word: a longer word of the text is no marker and is not looked up. */
    private final int maxLength;

    private KinMarkers(List<String> languages, Map<String, int[]> wordTo) {
        this.languages = languages;
        int cap = Integer.highestOneBit(Math.max(16, wordTo.size() * 4 - 1)) << 1;
        this.words = new String[cap];
        this.languagesOf = new int[cap][];
        int longest = 0;
        for (Map.Entry<String, int[]> e : wordTo.entrySet()) {
            String w = e.getKey();
            int s = slot(w.hashCode());
            while (words[s] != null) {
                s = (s + 1) & (cap - 1);
            }
            words[s] = w;
            languagesOf[s] = e.getValue();
            longest = Math.max(longest, w.length());
        }
        this.maxLength = longest;
    }

    /** Builds from each language's marker words (ISO 639-3 code to words; a word may mark several languages). */
    static KinMarkers of(Map<String, Set<String>> markers) {
        List<String> langs = List.copyOf(new TreeSet<>(markers.keySet()));
        Map<String, List<Integer>> to = new HashMap<>();
        for (int i = 0; i < langs.size(); i++) {
            for (String w : markers.get(langs.get(i))) {
                to.computeIfAbsent(w, x -> new ArrayList<>()).add(i);
            }
        }
        Map<String, int[]> m = new HashMap<>();
        to.forEach((w, l) -> m.put(w, l.stream().mapToInt(Integer::intValue).toArray()));
        return new KinMarkers(langs, m);
    }

    /** The group's languages (ISO 639-3), in the order of {@link #count}'s answer. */
    List<String> languages() {
        return languages;
    }

    private int slot(int hash) {
        int h = hash * 0x9E3779B9;
        return (h ^ (h >>> 16)) & (words.length - 1);
    }

    /** The marker word equal to {@code w[0..len)} (whose String hash is {@code hash}): its languages, or null. */
    private int[] lookup(char[] w, int len, int hash) {
        for (int s = slot(hash); words[s] != null; s = (s + 1) & (words.length - 1)) {
            String k = words[s];
            if (k.length() == len && k.hashCode() == hash && same(k, w)) {
                return languagesOf[s];
            }
        }
        return null;
    }

    private static boolean same(String k, char[] w) {
        for (int i = 0; i < k.length(); i++) {
            if (k.charAt(i) != w[i]) {
                return false;
            }
        }
        return true;
    }

    /** How often each language's words occur in the text, in the order of {@link #languages}. */
    int[] count(CharSequence text) {
        int[] hits = new int[languages.size()];
        // one more than the longest marker: a word that fills it is longer than every marker
        char[] w = new char[maxLength + 1];
        int len = 0;
        int hash = 0;
        for (int i = 0, n = text.length(); i <= n; i++) {
            char c = i < n ? text.charAt(i) : ' ';
            if (Character.isLetter(c)) {
                String latin = c < 0x400 || c > 0x45f ? null : CYRILLIC[c - 0x400];
                if (latin == null) {
                    char l = Character.toLowerCase(c);
                    if (len < w.length) {
                        w[len++] = l;
                        hash = 31 * hash + l;
                    }
                } else {
                    for (int j = 0; j < latin.length() && len < w.length; j++) {
                        w[len++] = latin.charAt(j);
                        hash = 31 * hash + latin.charAt(j);
                    }
                }
            } else if (len > 0) {
                int[] langs = len <= maxLength ? lookup(w, len, hash) : null;
                if (langs != null) {
                    for (int l : langs) {
                        hits[l]++;
                    }
                }
                len = 0;
                hash = 0;
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
