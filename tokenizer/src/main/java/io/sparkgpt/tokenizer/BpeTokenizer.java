package io.sparkgpt.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GPT-2 style byte-level BPE: text is split by a {@link PreTokenizer}, each piece is turned into its UTF-8
 * bytes, and adjacent tokens are merged, lowest rank first (leftmost on ties), until no pair has a rank.
 *
 * <p>Two ways to say which pairs merge, both exact for their source:
 * <ul>
 *   <li>{@link #fromMerges merges} (GPT-2's {@code merges.txt}, our trainer, HF tokenizers): only the listed
 *       pairs merge, ranked by their line;</li>
 *   <li>{@link #fromRanks ranks} (tiktoken / jtokkit files such as {@code r50k_base.tiktoken}): any two adjacent
 *       tokens whose concatenation is a token merge, ranked by that token's rank.</li>
 * </ul>
 *
 * <p>Thread-safe: the tables are immutable and each thread has its own scratch space and word cache.
 * Special tokens ({@code <|endoftext|>}, later chat tokens) are never produced by {@link #encode}; use
 * {@link #encodeWithSpecialTokens} where the text is trusted to contain them.
 */
public final class BpeTokenizer implements Tokenizer {
    public static final String END_OF_TEXT = "<|endoftext|>";

    /** Words (pre-tokenized pieces) up to this many chars are cached per thread; longer ones are rare. */
    private static final int CACHE_MAX_CHARS = 48;
    private static final int CACHE_MAX_ENTRIES = 1 << 17;
    /** Above this many bytes a piece is merged with a heap instead of the quadratic scan. */
    private static final int SMALL_PIECE = 48;

    private final byte[][] tokenBytes;
    private final int[] byteToId = new int[256];
    private final PairTable pairs;
    private final List<int[]> merges;
    private final Map<String, Integer> specials;
    private final PreTokenizer pre;
    private final int eot;
    private final int vocabSize;
    private final boolean rankMode;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    private BpeTokenizer(byte[][] tokenBytes, PairTable pairs, List<int[]> merges, Map<String, Integer> specials,
                         PreTokenizer pre, boolean rankMode) {
        this.tokenBytes = tokenBytes;
        this.pairs = pairs;
        this.merges = merges;
        this.specials = Collections.unmodifiableMap(new LinkedHashMap<>(specials));
        this.pre = pre;
        this.rankMode = rankMode;
        Arrays.fill(byteToId, -1);
        for (int id = 0; id < tokenBytes.length; id++) {
            byte[] b = tokenBytes[id];
            if (b != null && b.length == 1 && !specials.containsValue(id) && byteToId[b[0] & 0xFF] < 0) {
                byteToId[b[0] & 0xFF] = id;
            }
        }
        for (int b = 0; b < 256; b++) {
            if (byteToId[b] < 0) {
                throw new IllegalArgumentException("the vocabulary has no token for byte 0x"
                        + Integer.toHexString(b) + ": a byte-level BPE needs all 256");
            }
        }
        Integer e = specials.get(END_OF_TEXT);
        this.eot = e == null ? -1 : e;
        this.vocabSize = tokenBytes.length;
    }

    // ------------------------------------------------------------------------------------------ construction

    /**
     * A merges-mode tokenizer. {@code tokenBytes[id]} are the bytes of every non-special token (null where an id
     * is a special token), {@code merges} the pairs of ids in rank order; the merged id of a pair is the id whose
     * bytes are the concatenation.
     */
    public static BpeTokenizer fromMerges(byte[][] tokenBytes, List<int[]> merges, Map<String, Integer> specials,
                                          PreTokenizer pre) {
        byte[][] all = withSpecials(tokenBytes, specials);
        Map<String, Integer> index = index(all, specials);
        PairTable table = new PairTable(merges.size());
        for (int r = 0; r < merges.size(); r++) {
            int[] m = merges.get(r);
            String merged = latin1(all[m[0]]) + latin1(all[m[1]]);
            Integer id = index.get(merged);
            if (id == null) {
                throw new IllegalArgumentException("merge " + r + " (" + m[0] + ", " + m[1]
                        + ") makes a token that is not in the vocabulary");
            }
            table.putIfBetter(m[0], m[1], r, id);
        }
        return new BpeTokenizer(all, table, List.copyOf(merges), specials, pre, false);
    }

    /** A ranks-mode tokenizer (tiktoken semantics): {@code rankedTokens[rank]} are the bytes of that token. */
    public static BpeTokenizer fromRanks(byte[][] rankedTokens, Map<String, Integer> specials, PreTokenizer pre) {
        byte[][] all = withSpecials(rankedTokens, specials);
        Map<String, Integer> index = index(all, specials);
        PairTable table = new PairTable(rankedTokens.length * 3);
        for (int id = 0; id < rankedTokens.length; id++) {
            byte[] b = rankedTokens[id];
            if (b == null || b.length < 2) {
                continue;
            }
            String s = latin1(b);
            for (int k = 1; k < s.length(); k++) {
                Integer l = index.get(s.substring(0, k));
                Integer r = index.get(s.substring(k));
                if (l != null && r != null) {
                    table.putIfBetter(l, r, id, id);
                }
            }
        }
        return new BpeTokenizer(all, table, null, specials, pre, true);
    }

    /**
     * Reads a tiktoken ranks file ({@code <base64 bytes> <rank>} per line, ranks 0..n-1) such as jtokkit's
     * {@code r50k_base.tiktoken}. {@code source} names the file in errors.
     */
    public static BpeTokenizer fromTiktoken(String content, String source, Map<String, Integer> specials,
                                            PreTokenizer pre) {
        List<byte[]> ranks = new ArrayList<>();
        String[] lines = content.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            int sp = line.indexOf(' ');
            try {
                if (sp < 0) {
                    throw new IllegalArgumentException("no space");
                }
                byte[] bytes = java.util.Base64.getDecoder().decode(line.substring(0, sp));
                int rank = Integer.parseInt(line.substring(sp + 1));
                while (ranks.size() <= rank) {
                    ranks.add(null);
                }
                ranks.set(rank, bytes);
            } catch (IllegalArgumentException e) {
                throw new TokenizerFormatException(source + " line " + (i + 1)
                        + ": expected '<base64> <rank>', got '" + abbreviate(line) + "'");
            }
        }
        return fromRanks(ranks.toArray(new byte[0][]), specials, pre);
    }

    /** GPT-2's special tokens for a 50257 vocabulary: {@code <|endoftext|>} = 50256. */
    public static Map<String, Integer> gpt2Specials() {
        return Map.of(END_OF_TEXT, 50256);
    }

    /**
     * This tokenizer with {@code tokens} added as special tokens, given the ids right after the current vocabulary
     * in the order listed (tokens it already has keep their ids: adding twice is a no-op). Every existing id keeps
     * its bytes and every text encodes as before, so a model trained with this tokenizer only needs new embedding
     * and output rows for the new ids. Used for the chat roles ({@code chat.ChatTokens}).
     */
    public BpeTokenizer withAddedSpecialTokens(List<String> tokens) {
        Map<String, Integer> sp = new LinkedHashMap<>(specials);
        int next = vocabSize;
        for (String t : tokens) {
            if (t.isEmpty()) {
                throw new IllegalArgumentException("a special token cannot be empty");
            }
            if (!sp.containsKey(t)) {
                sp.put(t, next++);
            }
        }
        if (sp.size() == specials.size()) {
            return this;
        }
        byte[][] base = Arrays.copyOf(tokenBytes, tokenBytes.length);
        for (int id : specials.values()) {
            base[id] = null;
        }
        return rankMode ? fromRanks(base, sp, pre) : fromMerges(base, merges, sp, pre);
    }

    private static byte[][] withSpecials(byte[][] tokens, Map<String, Integer> specials) {
        int n = tokens.length;
        for (int id : specials.values()) {
            n = Math.max(n, id + 1);
        }
        byte[][] all = Arrays.copyOf(tokens, n);
        for (Map.Entry<String, Integer> e : specials.entrySet()) {
            if (e.getValue() < tokens.length && tokens[e.getValue()] != null) {
                throw new IllegalArgumentException("special token " + e.getKey() + " takes id " + e.getValue()
                        + ", which is already a BPE token");
            }
            all[e.getValue()] = e.getKey().getBytes(StandardCharsets.UTF_8);
        }
        // ids without a token are allowed (cl100k_base leaves gaps before its special tokens): they never come
        // out of encode, and decode rejects them
        return all;
    }

    private static Map<String, Integer> index(byte[][] all, Map<String, Integer> specials) {
        Map<String, Integer> index = new HashMap<>(all.length * 2);
        java.util.Set<Integer> sp = new java.util.HashSet<>(specials.values());
        for (int id = 0; id < all.length; id++) {
            if (all[id] != null && !sp.contains(id)) {
                Integer prev = index.putIfAbsent(latin1(all[id]), id);
                if (prev != null) {
                    throw new IllegalArgumentException("ids " + prev + " and " + id + " have the same bytes");
                }
            }
        }
        return index;
    }

    static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    // ------------------------------------------------------------------------------------------ accessors

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int eotId() {
        return eot;
    }

    public PreTokenizer preTokenizer() {
        return pre;
    }

    /** Special tokens and their ids (insertion order). */
    public Map<String, Integer> specialTokens() {
        return specials;
    }

    /** The bytes of token {@code id} (a copy), or null for an unused id. */
    public byte[] tokenBytes(int id) {
        return tokenBytes[id] == null ? null : tokenBytes[id].clone();
    }

    public boolean isSpecial(int id) {
        return specials.containsValue(id);
    }

    /** Number of merges (vocabulary minus the 256 bytes and the special tokens). */
    public int mergeCount() {
        return mergeList().size();
    }

    /**
     * The merges in rank order, as pairs of ids. For a ranks-mode tokenizer they are derived: the two tokens that
     * BPE, restricted to lower ranks, leaves when it encodes the token's own bytes (how HF converts tiktoken files).
     */
    public synchronized List<int[]> mergeList() {
        if (merges != null) {
            return merges;
        }
        if (derivedMerges == null) {
            List<int[]> out = new ArrayList<>();
            Scratch sc = scratch.get();
            for (int id = 0; id < tokenBytes.length; id++) {
                byte[] b = tokenBytes[id];
                if (b == null || b.length < 2 || isSpecial(id)) {
                    continue;
                }
                sc.ensureParts(b.length);
                for (int i = 0; i < b.length; i++) {
                    sc.parts[i] = byteToId[b[i] & 0xFF];
                }
                int n = mergeSmall(sc, b.length, id);
                if (n != 2) {
                    throw new IllegalStateException("token " + id + " is not reachable by merging two lower tokens");
                }
                out.add(new int[] {sc.parts[0], sc.parts[1]});
            }
            derivedMerges = List.copyOf(out);
        }
        return derivedMerges;
    }

    private List<int[]> derivedMerges;

    // ------------------------------------------------------------------------------------------ encoding

    @Override
    public int[] encode(String text) {
        IntList out = new IntList(text.length() / 3 + 8);
        encodeOrdinary(text, 0, text.length(), out);
        return out.toArray();
    }

    /** {@link #encode} followed by the end-of-text token: one document of the token shards. */
    public int[] encodeDocument(String text) {
        if (eot < 0) {
            throw new IllegalStateException("this tokenizer has no " + END_OF_TEXT + " token");
        }
        IntList out = new IntList(text.length() / 3 + 8);
        encodeOrdinary(text, 0, text.length(), out);
        out.add(eot);
        return out.toArray();
    }

    /** Encodes {@code text}, turning every occurrence of a registered special token into its id. */
    public int[] encodeWithSpecialTokens(String text) {
        IntList out = new IntList(text.length() / 3 + 8);
        int i = 0;
        while (i < text.length()) {
            int best = -1;
            String bestTok = null;
            for (String sp : specials.keySet()) {
                int at = text.indexOf(sp, i);
                if (at >= 0 && (best < 0 || at < best)) {
                    best = at;
                    bestTok = sp;
                }
            }
            if (best < 0) {
                encodeOrdinary(text, i, text.length(), out);
                break;
            }
            encodeOrdinary(text, i, best, out);
            out.add(specials.get(bestTok));
            i = best + bestTok.length();
        }
        return out.toArray();
    }

    /** Appends the ids of {@code text[from, to)} to {@code out}. */
    public void encodeOrdinary(String text, int from, int to, IntList out) {
        Scratch sc = scratch.get();
        int i = from;
        while (i < to) {
            int j = pre.next(text, i, to);
            encodePiece(text, i, j, out, sc);
            i = j;
        }
    }

    /**
     * Ids of arbitrary bytes, invalid UTF-8 included: valid UTF-8 runs are encoded as text, and every byte that
     * is not part of a valid sequence is its own single-byte token. {@code decodeBytes(encodeBytes(b))} equals b.
     */
    public int[] encodeBytes(byte[] bytes) {
        IntList out = new IntList(bytes.length / 3 + 8);
        int i = 0;
        int runStart = 0;
        while (i < bytes.length) {
            int len = Utf8.validSequenceLength(bytes, i);
            if (len > 0) {
                i += len;
                continue;
            }
            if (i > runStart) {
                String s = new String(bytes, runStart, i - runStart, StandardCharsets.UTF_8);
                encodeOrdinary(s, 0, s.length(), out);
            }
            out.add(byteToId[bytes[i] & 0xFF]);
            i++;
            runStart = i;
        }
        if (i > runStart) {
            String s = new String(bytes, runStart, i - runStart, StandardCharsets.UTF_8);
            encodeOrdinary(s, 0, s.length(), out);
        }
        return out.toArray();
    }

    private void encodePiece(String text, int i, int j, IntList out, Scratch sc) {
        int len = j - i;
        if (len == 1) {
            char c = text.charAt(i);
            if (c < 128) {
                out.add(byteToId[c]);
                return;
            }
        }
        String key = null;
        if (len <= CACHE_MAX_CHARS) {
            key = text.substring(i, j);
            int[] hit = sc.cache.get(key);
            if (hit != null) {
                out.addAll(hit);
                return;
            }
        }
        int n = sc.utf8Ids(text, i, j, byteToId);
        n = n <= SMALL_PIECE ? mergeSmall(sc, n, Integer.MAX_VALUE) : mergeLarge(sc, n);
        if (key != null) {
            if (sc.cache.size() >= CACHE_MAX_ENTRIES) {
                sc.cache.clear();
            }
            sc.cache.put(key, Arrays.copyOf(sc.parts, n));
        }
        out.addAll(sc.parts, 0, n);
    }

    /** Quadratic merge of {@code sc.parts[0, n)}, only pairs of rank below {@code maxRank}; returns the new n. */
    private int mergeSmall(Scratch sc, int n, int maxRank) {
        int[] parts = sc.parts;
        long[] v = sc.vals;
        long limit = (long) maxRank << 32;
        for (int k = 0; k + 1 < n; k++) {
            v[k] = pairs.get(parts[k], parts[k + 1]);
        }
        while (n > 1) {
            long best = PairTable.NONE;
            int at = -1;
            for (int k = 0; k + 1 < n; k++) {
                if (v[k] < best) {
                    best = v[k];
                    at = k;
                }
            }
            if (at < 0 || best >= limit) {
                break;
            }
            parts[at] = (int) best;
            System.arraycopy(parts, at + 2, parts, at + 1, n - at - 2);
            System.arraycopy(v, at + 2, v, at + 1, Math.max(0, n - at - 3));
            n--;
            if (at > 0) {
                v[at - 1] = pairs.get(parts[at - 1], parts[at]);
            }
            if (at + 1 < n) {
                v[at] = pairs.get(parts[at], parts[at + 1]);
            }
        }
        return n;
    }

    /**
     * Heap merge for long pieces (long CJK runs, long digit or punctuation runs): a doubly linked list of parts
     * and a min-heap of (rank, position) with stale entries skipped when popped. O(n log n).
     */
    private int mergeLarge(Scratch sc, int n) {
        int[] parts = sc.parts;
        int[] next = sc.ensureNext(n);
        int[] prev = sc.prev;
        long[] heap = sc.ensureHeap(2 * n + 2);
        int hn = 0;
        for (int k = 0; k < n; k++) {
            next[k] = k + 1 < n ? k + 1 : -1;
            prev[k] = k - 1;
        }
        for (int k = 0; k + 1 < n; k++) {
            long val = pairs.get(parts[k], parts[k + 1]);
            if (val != PairTable.NONE) {
                hn = heapPush(sc, hn, ((val >>> 32) << 32) | k);
                heap = sc.heap;
            }
        }
        boolean[] dead = sc.ensureDead(n);
        Arrays.fill(dead, 0, n, false);
        while (hn > 0) {
            long top = heap[0];
            hn = heapPop(heap, hn);
            int pos = (int) top;
            long rank = top >>> 32;
            if (dead[pos] || next[pos] < 0) {
                continue;
            }
            int q = next[pos];
            long val = pairs.get(parts[pos], parts[q]);
            if (val == PairTable.NONE || (val >>> 32) != rank) {
                continue;
            }
            parts[pos] = (int) val;
            dead[q] = true;
            next[pos] = next[q];
            if (next[q] >= 0) {
                prev[next[q]] = pos;
            }
            int p = prev[pos];
            if (p >= 0) {
                long pv = pairs.get(parts[p], parts[pos]);
                if (pv != PairTable.NONE) {
                    hn = heapPush(sc, hn, ((pv >>> 32) << 32) | p);
                    heap = sc.heap;
                }
            }
            if (next[pos] >= 0) {
                long nv = pairs.get(parts[pos], parts[next[pos]]);
                if (nv != PairTable.NONE) {
                    hn = heapPush(sc, hn, ((nv >>> 32) << 32) | pos);
                    heap = sc.heap;
                }
            }
        }
        int m = 0;
        for (int k = 0; k >= 0; k = next[k]) {
            parts[m++] = parts[k];
        }
        return m;
    }

    private static int heapPush(Scratch sc, int hn, long x) {
        long[] h = sc.heap;
        if (hn == h.length) {
            h = sc.heap = Arrays.copyOf(h, h.length * 2);
        }
        int i = hn++;
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (h[p] <= x) {
                break;
            }
            h[i] = h[p];
            i = p;
        }
        h[i] = x;
        return hn;
    }

    private static int heapPop(long[] h, int hn) {
        long x = h[--hn];
        int i = 0;
        while (true) {
            int c = 2 * i + 1;
            if (c >= hn) {
                break;
            }
            if (c + 1 < hn && h[c + 1] < h[c]) {
                c++;
            }
            if (x <= h[c]) {
                break;
            }
            h[i] = h[c];
            i = c;
        }
        if (hn > 0) {
            h[i] = x;
        }
        return hn;
    }

    // ------------------------------------------------------------------------------------------ decoding

    @Override
    public String decode(int[] ids) {
        return new String(decodeBytes(ids), StandardCharsets.UTF_8);
    }

    /** The exact bytes of {@code ids}; an id outside the vocabulary is an IllegalArgumentException. */
    public byte[] decodeBytes(int[] ids) {
        int len = 0;
        for (int id : ids) {
            if (id < 0 || id >= tokenBytes.length || tokenBytes[id] == null) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary (0.."
                        + (tokenBytes.length - 1) + ") or has no token");
            }
            len += tokenBytes[id].length;
        }
        byte[] out = new byte[len];
        int o = 0;
        for (int id : ids) {
            byte[] b = tokenBytes[id];
            System.arraycopy(b, 0, out, o, b.length);
            o += b.length;
        }
        return out;
    }

    /** True for tiktoken-style tokenizers built {@link #fromRanks from ranks}. */
    public boolean isRankMode() {
        return rankMode;
    }

    /** Per-thread buffers: no allocation per byte or per piece beyond the cache entry. */
    private static final class Scratch {
        int[] parts = new int[256];
        long[] vals = new long[256];
        int[] next = new int[0];
        int[] prev = new int[0];
        boolean[] dead = new boolean[0];
        long[] heap = new long[64];
        final HashMap<String, int[]> cache = new HashMap<>(1 << 12);

        void ensureParts(int need) {
            if (parts.length < need) {
                parts = new int[need];
                vals = new long[need];
            }
        }

        int utf8Ids(String s, int from, int to, int[] byteToId) {
            ensureParts((to - from) * 3);
            int n = 0;
            int[] p = parts;
            for (int i = from; i < to; i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    p[n++] = byteToId[c];
                } else if (c < 0x800) {
                    p[n++] = byteToId[0xC0 | (c >> 6)];
                    p[n++] = byteToId[0x80 | (c & 0x3F)];
                } else if (Character.isSurrogate(c)) {
                    if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
                        int cp = Character.toCodePoint(c, s.charAt(++i));
                        p[n++] = byteToId[0xF0 | (cp >> 18)];
                        p[n++] = byteToId[0x80 | ((cp >> 12) & 0x3F)];
                        p[n++] = byteToId[0x80 | ((cp >> 6) & 0x3F)];
                        p[n++] = byteToId[0x80 | (cp & 0x3F)];
                    } else {
                        // a lone surrogate cannot be written in UTF-8: it is encoded as U+FFFD, as tiktoken does
                        p[n++] = byteToId[0xEF];
                        p[n++] = byteToId[0xBF];
                        p[n++] = byteToId[0xBD];
                    }
                } else {
                    p[n++] = byteToId[0xE0 | (c >> 12)];
                    p[n++] = byteToId[0x80 | ((c >> 6) & 0x3F)];
                    p[n++] = byteToId[0x80 | (c & 0x3F)];
                }
            }
            return n;
        }

        int[] ensureNext(int n) {
            if (next.length < n) {
                next = new int[n];
                prev = new int[n];
            }
            return next;
        }

        boolean[] ensureDead(int n) {
            if (dead.length < n) {
                dead = new boolean[n];
            }
            return dead;
        }

        long[] ensureHeap(int n) {
            if (heap.length < n) {
                heap = new long[n];
            }
            return heap;
        }
    }
}
