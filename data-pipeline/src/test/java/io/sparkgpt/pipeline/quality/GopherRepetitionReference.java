package io.sparkgpt.pipeline.quality;

import io.sparkgpt.pipeline.step.Counters;
import io.sparkgpt.pipeline.step.Document;
import io.sparkgpt.pipeline.step.DocumentStep;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Gopher repetition rules as first written (one hash map or set of boxed longs per n-gram size, one pass per
 * rule), kept as the reference that {@link GopherRepetitionFilter}'s one-pass version must agree with exactly
 * (GopherRepetitionEquivalenceTest). Original description: Gopher repetition rules (Rae et al. 2021, table A1; datatrove's GopherRepetitionFilter): duplicated paragraphs
 * and lines (share of items and of characters), the most frequent 2/3/4-gram's share of characters, and the share
 * of characters in duplicated 5..10-grams. N-grams are hashed over word ids (64-bit), not built as strings: the
 * rules stay linear in the document's length.
 */
public final class GopherRepetitionReference implements DocumentStep {

    private static final Pattern PARAS = Pattern.compile("\\n{2,}");
    private static final Pattern LINES = Pattern.compile("\\n+");
    private final GopherRepetitionFilter.Config c;

    public GopherRepetitionReference(GopherRepetitionFilter.Config config) {
        this.c = config;
    }

    @Override
    public String name() {
        return "gopher_repetition_reference";
    }

    @Override
    public String process(Document d, Counters counters) {
        String text = d.text;
        double len = Math.max(1, text.length());
        String[] paras = PARAS.split(text.strip());
        long[] pd = duplicates(paras);
        if ((double) pd[0] / paras.length > c.dupParaFrac()) {
            return "dup_para_frac";
        }
        if (pd[1] / len > c.dupParaCharFrac()) {
            return "dup_para_char_frac";
        }
        String[] lines = LINES.split(text);
        long[] ld = duplicates(lines);
        d.signals.put("dup_line_frac", lines.length == 0 ? 0 : (double) ld[0] / lines.length);
        if ((double) ld[0] / Math.max(1, lines.length) > c.dupLineFrac()) {
            return "dup_line_frac";
        }
        if (ld[1] / len > c.dupLineCharFrac()) {
            return "dup_line_char_frac";
        }
        String[] words = Words.of(d);
        int[] ids = new int[words.length];
        int[] wlen = new int[words.length];
        HashMap<String, Integer> vocab = new HashMap<>();
        for (int i = 0; i < words.length; i++) {
            ids[i] = vocab.computeIfAbsent(words[i], k -> vocab.size());
            wlen[i] = words[i].length();
        }
        for (int k = 0; k < c.topNGramFrac().length; k++) {
            int n = 2 + k;
            double frac = topNGram(ids, wlen, n) / len;
            if (frac > c.topNGramFrac()[k]) {
                return "top_" + n + "_gram";
            }
        }
        for (int k = 0; k < c.dupNGramFrac().length; k++) {
            int n = 5 + k;
            double frac = duplicatedNGramChars(ids, wlen, n) / len;
            if (k == 0) {
                d.signals.put("dup_5gram_char_frac", frac);
            }
            if (frac > c.dupNGramFrac()[k]) {
                return "duplicated_" + n + "_n_grams";
            }
        }
        return null;
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

    private static long hash(int[] ids, int from, int n) {
        long h = 1125899906842597L;
        for (int i = from; i < from + n; i++) {
            h = 31 * h + ids[i];
            h ^= (h >>> 29);
        }
        return h;
    }

    /** Characters of the most frequent n-gram ({@code " ".join}) times its count. */
    static long topNGram(int[] ids, int[] wlen, int n) {
        if (ids.length < n) {
            return 0;
        }
        HashMap<Long, int[]> counts = new HashMap<>();
        long best = 0;
        for (int i = 0; i + n <= ids.length; i++) {
            int[] cnt = counts.computeIfAbsent(hash(ids, i, n), k -> new int[1]);
            cnt[0]++;
            int chars = n - 1;
            for (int j = i; j < i + n; j++) {
                chars += wlen[j];
            }
            best = Math.max(best, (long) cnt[0] * chars);
        }
        return best;
    }

    /** Characters in n-grams seen before, scanning left to right and jumping over a duplicate (datatrove's rule). */
    static long duplicatedNGramChars(int[] ids, int[] wlen, int n) {
        HashSet<Long> seen = new HashSet<>();
        long chars = 0;
        int i = 0;
        while (i + n <= ids.length) {
            long h = hash(ids, i, n);
            if (!seen.add(h)) {
                for (int j = i; j < i + n; j++) {
                    chars += wlen[j];
                }
                i += n;
            } else {
                i++;
            }
        }
        return chars;
    }
}
