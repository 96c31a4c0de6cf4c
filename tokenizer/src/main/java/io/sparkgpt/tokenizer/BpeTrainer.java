package io.sparkgpt.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.ObjLongConsumer;

/**
 * Learns byte-level BPE merges from word counts (the pieces of a {@link PreTokenizer} with how often each occurs),
 * the way GPT-2 / HF tokenizers / nanochat train: repeatedly merge the most frequent adjacent pair.
 *
 * <p>Incremental: pair counts are kept in one map and updated in place for the words that hold the merged pair
 * only (each pair remembers the words it occurs in); a priority queue orders the pairs, and entries whose count
 * has since fallen are skipped when popped (lazy invalidation). Ties go to the pair with the smaller left id, then
 * the smaller right id, so the same counts always give the same merges.
 *
 * <p>Ids: 0..255 are the bytes in GPT-2's order ({@link ByteLevel}), then one id per merge, then the special
 * tokens ({@code <|endoftext|>} first). {@code vocabSize} counts all of them.
 */
public final class BpeTrainer {

    /** What to learn. {@code minFrequency}: a pair seen fewer times than this is never merged. */
    public record Config(int vocabSize, int minFrequency, PreTokenizer preTokenizer, List<String> specialTokens) {
        public Config {
            specialTokens = List.copyOf(specialTokens);
            if (vocabSize < 256 + specialTokens.size()) {
                throw new IllegalArgumentException("vocab size " + vocabSize + " is below the 256 bytes + "
                        + specialTokens.size() + " special tokens");
            }
            if (minFrequency < 1) {
                throw new IllegalArgumentException("min frequency must be >= 1, got " + minFrequency);
            }
        }

        public static Config of(int vocabSize, PreTokenizer pre) {
            return new Config(vocabSize, 2, pre, List.of(BpeTokenizer.END_OF_TEXT));
        }
    }

    /** The tokenizer and what the run did. */
    public record Result(BpeTokenizer tokenizer, int merges, long words, long distinctWords, long lastMergeCount,
                         double seconds) {}

    private final Config config;

    public BpeTrainer(Config config) {
        this.config = config;
    }

    /** Splits {@code text} into pieces and adds each to {@code counts}. */
    public static void countWords(String text, PreTokenizer pre, Map<String, Long> counts) {
        int i = 0;
        int n = text.length();
        while (i < n) {
            int j = pre.next(text, i, n);
            counts.merge(text.substring(i, j), 1L, Long::sum);
            i = j;
        }
    }

    /** Calls {@code sink} for each piece of {@code text} with count 1 (for distributed counting). */
    public static void forEachPiece(String text, PreTokenizer pre, ObjLongConsumer<String> sink) {
        int i = 0;
        int n = text.length();
        while (i < n) {
            int j = pre.next(text, i, n);
            sink.accept(text.substring(i, j), 1L);
            i = j;
        }
    }

    /** Word counts of {@code texts} (local, single thread). */
    public static Map<String, Long> countWords(Iterable<String> texts, PreTokenizer pre) {
        Map<String, Long> counts = new HashMap<>();
        for (String t : texts) {
            countWords(t, pre, counts);
        }
        return counts;
    }

    private static final class Stat {
        final int a;
        final int b;
        long count;
        IntList words = new IntList(4);
        int lastWord = -1;
        int grownAt = -1;

        Stat(int a, int b) {
            this.a = a;
            this.b = b;
        }

        void addWord(int w) {
            if (lastWord != w) {
                words.add(w);
                lastWord = w;
            }
        }
    }

    private record Entry(long count, int a, int b) {}

    public Result train(Map<String, Long> wordCounts) {
        long t0 = System.nanoTime();
        // sort the words so that where-lists and therefore any iteration order do not depend on the map's order
        List<String> keys = new ArrayList<>(wordCounts.keySet());
        keys.sort(null);
        int nw = keys.size();
        int[][] w = new int[nw][];
        int[] wlen = new int[nw];
        long[] wc = new long[nw];
        long total = 0;
        for (int i = 0; i < nw; i++) {
            byte[] b = Utf8.encode(keys.get(i));
            int[] s = new int[b.length];
            for (int k = 0; k < b.length; k++) {
                s[k] = ByteLevel.ID_OF_BYTE[b[k] & 0xFF];
            }
            w[i] = s;
            wlen[i] = s.length;
            wc[i] = wordCounts.get(keys.get(i));
            total += wc[i];
        }
        HashMap<Long, Stat> stats = new HashMap<>(1 << 16);
        for (int i = 0; i < nw; i++) {
            int[] s = w[i];
            for (int k = 0; k + 1 < wlen[i]; k++) {
                Stat st = stats.computeIfAbsent(PairTable.key(s[k], s[k + 1]), x -> newStat(x));
                st.count += wc[i];
                st.addWord(i);
            }
        }
        PriorityQueue<Entry> pq = new PriorityQueue<>(Math.max(16, stats.size()), (x, y) -> {
            if (x.count != y.count) {
                return Long.compare(y.count, x.count);
            }
            if (x.a != y.a) {
                return Integer.compare(x.a, y.a);
            }
            return Integer.compare(x.b, y.b);
        });
        for (Stat st : stats.values()) {
            pq.add(new Entry(st.count, st.a, st.b));
        }

        int targetMerges = config.vocabSize() - 256 - config.specialTokens().size();
        List<byte[]> tokens = new ArrayList<>(config.vocabSize());
        for (int i = 0; i < 256; i++) {
            tokens.add(new byte[] {(byte) ByteLevel.BYTES_IN_ID_ORDER[i]});
        }
        List<int[]> merges = new ArrayList<>(targetMerges);
        int[] seen = new int[nw];
        Arrays.fill(seen, -1);
        List<Stat> grown = new ArrayList<>();
        long lastCount = 0;
        while (merges.size() < targetMerges && !pq.isEmpty()) {
            Entry e = pq.poll();
            Stat st = stats.get(PairTable.key(e.a, e.b));
            if (st == null || st.count <= 0) {
                continue;
            }
            if (st.count != e.count) {
                pq.add(new Entry(st.count, st.a, st.b));
                continue;
            }
            if (st.count < config.minFrequency()) {
                break;
            }
            lastCount = st.count;
            int a = st.a;
            int b = st.b;
            int n = tokens.size();
            byte[] ab = concat(tokens.get(a), tokens.get(b));
            tokens.add(ab);
            merges.add(new int[] {a, b});
            stats.remove(PairTable.key(a, b));
            int mergeNo = merges.size();
            grown.clear();
            IntList where = st.words;
            for (int q = 0; q < where.size(); q++) {
                int wi = where.get(q);
                if (seen[wi] == mergeNo) {
                    continue;
                }
                seen[wi] = mergeNo;
                int[] s = w[wi];
                int len = wlen[wi];
                long c = wc[wi];
                int o = 0;
                int i = 0;
                while (i < len) {
                    if (i + 1 < len && s[i] == a && s[i + 1] == b) {
                        if (o > 0) {
                            int x = s[o - 1];
                            change(stats, x, a, -c, wi, null, mergeNo);
                            change(stats, x, n, c, wi, grown, mergeNo);
                        }
                        if (i + 2 < len) {
                            int y = s[i + 2];
                            change(stats, b, y, -c, wi, null, mergeNo);
                            change(stats, n, y, c, wi, grown, mergeNo);
                        }
                        s[o++] = n;
                        i += 2;
                    } else {
                        s[o++] = s[i++];
                    }
                }
                wlen[wi] = o;
            }
            // only pairs holding the new token grew: every other change was a decrease, which the lazy queue
            // handles when the stale entry comes up
            for (Stat g : grown) {
                if (g.count > 0) {
                    pq.add(new Entry(g.count, g.a, g.b));
                }
            }
        }
        List<String> sp = config.specialTokens();
        Map<String, Integer> specials = new LinkedHashMap<>();
        for (int i = 0; i < sp.size(); i++) {
            specials.put(sp.get(i), tokens.size() + i);
        }
        BpeTokenizer tok = BpeTokenizer.fromMerges(tokens.toArray(new byte[0][]), merges, specials,
                config.preTokenizer());
        return new Result(tok, merges.size(), total, nw, lastCount, (System.nanoTime() - t0) / 1e9);
    }

    private static Stat newStat(long key) {
        return new Stat((int) (key >>> 32), (int) key);
    }

    private static void change(HashMap<Long, Stat> stats, int x, int y, long delta, int word, List<Stat> grown,
                               int mergeNo) {
        long k = PairTable.key(x, y);
        Stat st = stats.get(k);
        if (st == null) {
            if (delta < 0) {
                return; // the merged pair itself, already removed
            }
            st = newStat(k);
            stats.put(k, st);
        }
        st.count += delta;
        if (delta > 0) {
            st.addWord(word);
            if (st.grownAt != mergeNo) {
                st.grownAt = mergeNo;
                grown.add(st);
            }
        }
    }

    private static byte[] concat(byte[] x, byte[] y) {
        byte[] r = Arrays.copyOf(x, x.length + y.length);
        System.arraycopy(y, 0, r, x.length, y.length);
        return r;
    }
}
