package io.sparkgpt.pipeline.quality;

import io.sparkgpt.pipeline.step.Counters;
import io.sparkgpt.pipeline.step.Document;
import io.sparkgpt.pipeline.step.DocumentStep;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;

/**
 * Gopher repetition rules (Rae et al. 2021, table A1; datatrove's GopherRepetitionFilter): duplicated paragraphs
 * and lines (share of items and of characters), the most frequent 2/3/4-gram's share of characters, and the share
 * of characters in duplicated 5..10-grams. N-grams are hashed over word ids (64-bit), not built as strings: the
 * rules stay linear in the document's length.
 */
public final class GopherRepetitionFilter implements DocumentStep {
    public record Config(double dupLineFrac, double dupParaFrac, double dupLineCharFrac, double dupParaCharFrac,
                         double[] topNGramFrac, double[] dupNGramFrac) implements java.io.Serializable {
        /** topNGramFrac[i] is for n = 2 + i; dupNGramFrac[i] for n = 5 + i. */
        public static Config defaults() {
            return new Config(0.3, 0.3, 0.2, 0.2, new double[] {0.20, 0.18, 0.16},
                    new double[] {0.15, 0.14, 0.13, 0.12, 0.11, 0.10});
        }
    }

    private final Config c;

    public GopherRepetitionFilter(Config config) {
        this.c = config;
    }

    @Override
    public String name() {
        return "gopher_repetition";
    }

    @Override
    public String process(Document d, Counters counters) {
        String text = d.text;
        double len = Math.max(1, text.length());
        String[] paras = splitOnNewlines(text.strip(), 2);
        long[] pd = duplicates(paras);
        if ((double) pd[0] / paras.length > c.dupParaFrac()) {
            return "dup_para_frac";
        }
        if (pd[1] / len > c.dupParaCharFrac()) {
            return "dup_para_char_frac";
        }
        String[] lines = splitOnNewlines(text, 1);
        long[] ld = duplicates(lines);
        d.signals.put("dup_line_frac", lines.length == 0 ? 0 : (double) ld[0] / lines.length);
        if ((double) ld[0] / Math.max(1, lines.length) > c.dupLineFrac()) {
            return "dup_line_frac";
        }
        if (ld[1] / len > c.dupLineCharFrac()) {
            return "dup_line_char_frac";
        }
        String[] words = Words.of(d);
        NGrams g = new NGrams(words);
        for (int k = 0; k < c.topNGramFrac().length; k++) {
            int n = 2 + k;
            double frac = g.topNGram(n) / len;
            if (frac > c.topNGramFrac()[k]) {
                return "top_" + n + "_gram";
            }
        }
        for (int k = 0; k < c.dupNGramFrac().length; k++) {
            int n = 5 + k;
            double frac = g.duplicatedNGramChars(n) / len;
            if (k == 0) {
                d.signals.put("dup_5gram_char_frac", frac);
            }
            if (frac > c.dupNGramFrac()[k]) {
                return "duplicated_" + n + "_n_grams";
            }
        }
        return null;
    }

    /**
     * {@code s.split("\\n{minRun,}")} without the regex engine (a fifth of the step's time): the pieces between runs
     * of at least {@code minRun} newlines, a leading empty piece when s starts with such a run, trailing empty pieces
     * dropped, and {@code [s]} when there is no such run.
     */
    static String[] splitOnNewlines(String s, int minRun) {
        java.util.ArrayList<String> out = null;
        int from = 0;
        int n = s.length();
        int i = s.indexOf('\n');
        while (i >= 0) {
            int j = i;
            while (j < n && s.charAt(j) == '\n') {
                j++;
            }
            if (j - i >= minRun) {
                if (out == null) {
                    out = new java.util.ArrayList<>();
                }
                out.add(s.substring(from, i));
                from = j;
            }
            i = j < n ? s.indexOf('\n', j) : -1;
        }
        if (out == null) {
            return new String[] {s};
        }
        out.add(s.substring(from));
        int size = out.size();
        while (size > 0 && out.get(size - 1).isEmpty()) {
            size--;
        }
        return out.subList(0, size).toArray(new String[0]);
    }

    /** {duplicate items, characters in duplicate items} (an item counts from its second occurrence on). */
    static long[] duplicates(String[] items) {
        Set<String> seen = new HashSet<>();
        long n = 0;
        long chars = 0;
        for (String s : items) {
            if (!seen.add(s)) {
                n++;
                chars += s.length();
            }
        }
        return new long[] {n, chars};
    }

    /**
     * The n-gram statistics of one document's words, for every n the rules ask for, in increasing n. Words become
     * ids in order of first appearance; the hash of the n-gram starting at word i is the state of a running hash
     * after n words from i, so the (n+1)-gram hashes are one step from the n-gram hashes: one array, advanced in
     * place from size to size, gives all sizes for one hash step per position and size (the rules used to hash
     * each n-gram from scratch: 54 steps per position for n = 2..10). Counts and seen-sets live in one
     * open-addressing table of primitive longs, cleared between sizes, instead of a HashMap of boxed Longs per
     * size: the boxing and its garbage were most of the step's time. Same hash function, same keys, same
     * scanning order as before, so every result is identical (GopherRepetitionEquivalenceTest compares).
     */
    static final class NGrams {
        private final int words;
        private final int[] ids;
        /** chars[i]: characters of words 0..i-1; an n-gram from i spans chars[i + n] - chars[i] + n - 1. */
        private final long[] chars;
        /** hashes[i]: hash of the {@code level}-gram starting at word i (for i + level <= words). */
        private final long[] hashes;
        private int level;
        private final long[] keys;
        private final int[] counts;

        NGrams(String[] w) {
            words = w.length;
            ids = new int[words];
            chars = new long[words + 1];
            // sized for the distinct words of a long page: no rehashing while it fills
            HashMap<String, Integer> vocab = new HashMap<>(Math.min(words, 1 << 14) * 2);
            for (int i = 0; i < words; i++) {
                Integer id = vocab.get(w[i]);
                if (id == null) {
                    id = vocab.size();
                    vocab.put(w[i], id);
                }
                ids[i] = id;
                chars[i + 1] = chars[i] + w[i].length();
            }
            hashes = new long[words];
            java.util.Arrays.fill(hashes, SEED);
            // at most one key per position: a table at least twice that stays at most half full
            int cap = Integer.highestOneBit(Math.max(16, words * 2 - 1)) << 1;
            keys = new long[cap];
            counts = new int[cap];
        }

        private static final long SEED = 1125899906842597L;

        /** Brings {@link #hashes} to n-grams (n only grows in the rules; a smaller n starts over). */
        private void advance(int n) {
            if (n < level) {
                java.util.Arrays.fill(hashes, SEED);
                level = 0;
            }
            for (; level < n; level++) {
                // the (level+1)-gram from i adds word i + level
                for (int i = 0; i + level < words; i++) {
                    long h = 31 * hashes[i] + ids[i + level];
                    hashes[i] = h ^ (h >>> 29);
                }
            }
        }

        /** Adds one to key's count and returns the new count (linear probing; a count of 0 marks a free slot). */
        private int increment(long key) {
            int mask = keys.length - 1;
            int slot = (int) mix(key) & mask;
            while (counts[slot] != 0 && keys[slot] != key) {
                slot = (slot + 1) & mask;
            }
            keys[slot] = key;
            return ++counts[slot];
        }

        private static long mix(long h) {
            h ^= h >>> 33;
            h *= 0xff51afd7ed558ccdL;
            return h ^ (h >>> 33);
        }

        /** Characters of the most frequent n-gram ({@code " ".join}) times its count. */
        long topNGram(int n) {
            if (words < n) {
                return 0;
            }
            advance(n);
            java.util.Arrays.fill(counts, 0);
            long best = 0;
            for (int i = 0; i + n <= words; i++) {
                int cnt = increment(hashes[i]);
                best = Math.max(best, (long) cnt * (chars[i + n] - chars[i] + n - 1));
            }
            return best;
        }

        /** Characters in n-grams seen before, scanning left to right and jumping over a duplicate (datatrove's rule). */
        long duplicatedNGramChars(int n) {
            if (words < n) {
                return 0;
            }
            advance(n);
            java.util.Arrays.fill(counts, 0);
            long dup = 0;
            int i = 0;
            while (i + n <= words) {
                if (increment(hashes[i]) > 1) {
                    dup += chars[i + n] - chars[i];
                    i += n;
                } else {
                    i++;
                }
            }
            return dup;
        }
    }
}
