package io.sparkgpt.tokenizer;

import com.knuddels.jtokkit.api.Encoding;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The tokenizer benchmark (bench/tokenizer/run.sh): encode MB/s of ours and of jtokkit r50k_base on the same
 * documents in the same JVM (English, Chinese; 1 and 2 threads), after checking the ids are identical; then the
 * time to train a vocabulary on the shared texts. Not a test. Last line: the smallest ours/jtokkit ratio.
 */
public final class TokenizerBench {
    public static void main(String[] args) throws Exception {
        int trainVocab = Integer.parseInt(System.getProperty("bench.trainVocab", "32768"));
        long trainBytesWanted = Long.parseLong(System.getProperty("bench.trainMB", "100")) << 20;
        int rounds = Integer.parseInt(System.getProperty("bench.rounds", "5"));
        Map<String, String> texts = Corpora.textFiles();
        List<String> en = new ArrayList<>();
        List<String> zh = new ArrayList<>();
        for (Map.Entry<String, String> e : texts.entrySet()) {
            if (e.getKey().endsWith(".txt") && !e.getKey().contains("!")) {
                en.addAll(docs(e.getValue(), "\n\n"));
            }
            if (e.getKey().endsWith("fortunes/chinese")) {
                zh.addAll(docs(e.getValue(), "\n%\n"));
            }
        }
        BpeTokenizer ours = Corpora.gpt2();
        Encoding ref = Corpora.jtokkitR50k();
        List<Double> ratios = new ArrayList<>();
        for (Map.Entry<String, List<String>> set : Map.of("English", en, "Chinese", zh).entrySet()) {
            List<String> d = set.getValue();
            for (String s : d) {
                if (!Arrays.equals(ref.encodeOrdinary(s).toArray(), ours.encode(s))) {
                    throw new AssertionError("ids differ on a " + set.getKey() + " document");
                }
            }
            long bytes = d.stream().mapToLong(s -> s.getBytes(StandardCharsets.UTF_8).length).sum();
            for (int threads : new int[] {1, 2}) {
                double oursMbs = 0;
                double refMbs = 0;
                for (int r = 0; r < rounds; r++) {
                    // alternate so that a neighbour's load on the shared machine hits both alike; best of rounds
                    oursMbs = Math.max(oursMbs, mbs(bytes, time(d, threads, ours::encode)));
                    refMbs = Math.max(refMbs, mbs(bytes, time(d, threads, s -> ref.encodeOrdinary(s))));
                }
                double ratio = oursMbs / refMbs;
                ratios.add(ratio);
                System.out.printf("encode %-7s %d thread(s): %.2f MB of %d docs, ours %.1f MB/s, jtokkit %.1f MB/s,"
                        + " ratio %.2f%n", set.getKey(), threads, bytes / 1e6, d.size(), oursMbs, refMbs, ratio);
            }
        }

        // training: word counts of as much text as we have (all shared texts, repeated counts are not new text)
        List<String> corpus = new ArrayList<>(texts.values());
        long corpusBytes = corpus.stream().mapToLong(s -> s.getBytes(StandardCharsets.UTF_8).length).sum();
        long t0 = System.nanoTime();
        Map<String, Long> counts = new HashMap<>();
        for (String s : corpus) {
            BpeTrainer.countWords(s, PreTokenizer.GPT2, counts);
        }
        double countS = (System.nanoTime() - t0) / 1e9;
        BpeTrainer.Result res = new BpeTrainer(BpeTrainer.Config.of(trainVocab, PreTokenizer.GPT2)).train(counts);
        double perMb = countS / (corpusBytes / 1e6);
        System.out.printf("train %d vocab on %.1f MB (%d files, %d distinct words): count %.1f s (%.2f s/MB, 1 thread),"
                        + " merges %.1f s (%d merges); 100 MB estimate: count %.0f s on 1 core (Spark spreads it),"
                        + " merges grow with distinct words, not bytes%n", trainVocab, corpusBytes / 1e6,
                corpus.size(), res.distinctWords(), countS, perMb, res.seconds(), res.merges(),
                perMb * trainBytesWanted / 1e6);
        System.out.printf("min_ratio_ours_over_jtokkit=%.2f%n", ratios.stream().mapToDouble(x -> x).min().orElse(0));
    }

    static List<String> docs(String text, String sep) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String p : text.split(java.util.regex.Pattern.quote(sep))) {
            cur.append(p).append(sep);
            if (cur.length() > 2000) {
                out.add(cur.toString());
                cur.setLength(0);
            }
        }
        if (cur.length() > 0) {
            out.add(cur.toString());
        }
        return out;
    }

    static double mbs(long bytes, double seconds) {
        return bytes / 1e6 / seconds;
    }

    static double time(List<String> docs, int threads, Consumer<String> enc) throws Exception {
        long t0 = System.nanoTime();
        if (threads == 1) {
            docs.forEach(enc);
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> fs = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int from = docs.size() * t / threads;
                    int to = docs.size() * (t + 1) / threads;
                    fs.add(pool.submit(() -> docs.subList(from, to).forEach(enc)));
                }
                for (Future<?> f : fs) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}
