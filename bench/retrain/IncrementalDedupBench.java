import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.pipeline.dedup.DedupJob;
import io.sparkgpt.pipeline.step.Schemas;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * Incremental dedup against a full recompute. N crawls of D distinct documents each (200-word pieces of the real
 * English texts and of the PostgreSQL manual's pages in shared/data, shuffled, none shared between crawls), and in
 * every crawl after the first 5% exact copies (other url), 5% near copies (3% of words replaced) and 2% re-fetches
 * (same url) of documents of earlier crawls. For n = 1..N, in one JVM and one SparkSession (local[cores]):
 * {@code DedupJob --index --generation n} on crawl n alone (the retraining cycle's step) and {@code DedupJob} on
 * crawls 1..n at once, each writing its documents, exclusions and (incremental) index generation. A first
 * throw-away run warms the JIT. Last line: the N-th increment's time against the full recompute over N crawls.
 *
 * Usage: IncrementalDedupBench <workdir> <folder of .txt/.html files> <crawls N> <documents per crawl D>
 */
public final class IncrementalDedupBench {
    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        Path texts = Path.of(args[1]);
        int crawls = Integer.parseInt(args[2]);
        int perCrawl = Integer.parseInt(args[3]);
        int cores = Integer.getInteger("bench.cores", 2);
        System.setProperty("spark.master", "local[" + cores + "]");
        SparkSession spark = SparkSession.builder().master("local[" + cores + "]").appName("incremental-dedup-bench")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", String.valueOf(4 * cores))
                .config("spark.sql.session.timeZone", "UTC").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");

        List<String> pieces = pieces(texts, 200);
        Collections.shuffle(pieces, new java.util.Random(42));
        if (pieces.size() < crawls * perCrawl) {
            throw new IllegalArgumentException("only " + pieces.size() + " distinct documents in " + texts + " for "
                    + crawls + " crawls of " + perCrawl);
        }
        SplittableRandom r = new SplittableRandom(7);
        List<String[]> earlier = new ArrayList<>(); // {url, text} of earlier crawls' documents
        for (int n = 1; n <= crawls; n++) {
            List<Row> rows = new ArrayList<>();
            List<String[]> mine = new ArrayList<>();
            for (int i = 0; i < perCrawl; i++) {
                String url = "http://bench.example/" + n + "/" + i;
                String text = pieces.get((n - 1) * perCrawl + i);
                rows.add(doc(n + "-" + i, url, n, text));
                mine.add(new String[] {url, text});
            }
            if (n > 1) {
                for (int i = 0; i < perCrawl * 12 / 100; i++) {
                    String[] e = earlier.get(r.nextInt(earlier.size()));
                    int kind = i % 12;
                    String url = kind < 5 ? "http://mirror.example/" + n + "/" + i : kind < 10
                            ? "http://near.example/" + n + "/" + i : e[0];
                    String text = kind < 5 ? e[1] : kind < 10 ? edit(e[1], 0.03, r) : e[1] + " (updated)";
                    rows.add(doc(n + "-r" + i, url, n, text));
                }
            }
            earlier.addAll(mine);
            spark.createDataFrame(rows, Schemas.DOCUMENTS).repartition(cores).write().mode("overwrite")
                    .parquet(work.resolve("crawl-" + n).toString());
            // the full recompute's input: one folder holding crawls 1..n's Parquet files (hard links)
            Path upto = work.resolve("upto-" + n);
            for (int k = 1; k <= n; k++) {
                link(work.resolve("crawl-" + k), upto, "c" + k + "-");
            }
        }
        System.out.printf("%d crawls of %d distinct documents (+12%% repeats of earlier crawls from crawl 2 on), "
                + "%d cores%n", crawls, perCrawl, cores);

        dedup("warm-up", "--input", work.resolve("crawl-1").toString(), "--output",
                work.resolve("warm-up").toString(), "--overwrite");
        System.out.println("| n | documents new | documents in all n | increment (s) | full recompute (s) | full / "
                + "increment |");
        System.out.println("|---|---|---|---|---|---|");
        double inc = 0;
        double full = 0;
        long total = 0;
        for (int n = 1; n <= crawls; n++) {
            String crawl = work.resolve("crawl-" + n).toString();
            long docs = spark.read().parquet(crawl).count();
            total += docs;
            inc = dedup("increment " + n, "--input", crawl, "--output", work.resolve("inc-" + n).toString(),
                    "--index", work.resolve("index").toString(), "--generation", String.valueOf(n), "--overwrite");
            full = dedup("full " + n, "--input", work.resolve("upto-" + n).toString(), "--output",
                    work.resolve("full-" + n).toString(), "--overwrite");
            System.out.printf(Locale.ROOT, "| %d | %,d | %,d | %.1f | %.1f | %.2fx |%n", n, docs, total, inc, full,
                    full / inc);
        }
        spark.stop();
        System.out.printf(Locale.ROOT, "increment %d of %d new documents: %.1f s; full recompute over all %,d: %.1f "
                + "s (%.2fx the increment)%n", crawls, perCrawl, inc, total, full, full / inc);
    }

    static Row doc(String id, String url, int crawl, String text) {
        Map<String, Double> signals = new HashMap<>();
        signals.put("len", (double) text.length());
        return RowFactory.create(id, url, "bench:crawl-" + crawl, new Timestamp(crawl * 86_400_000L * 30), "en",
                0.99, text, scala.collection.JavaConverters.mapAsScalaMap(signals).toMap(scala.Predef.$conforms()));
    }

    /** Hard links in {@code to} of the Parquet part files of {@code from}, their names prefixed. */
    static void link(Path from, Path to, String prefix) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path f : s.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList()) {
                Path l = to.resolve(prefix + f.getFileName());
                Files.deleteIfExists(l);
                Files.createLink(l, f);
            }
        }
    }

    /** Seconds of one in-process DedupJob run (it keeps the SparkSession). */
    static double dedup(String what, String... args) {
        long t0 = System.nanoTime();
        int rc = Cli.execute(new DedupJob(), args);
        if (rc != 0) {
            throw new IllegalStateException(what + ": DedupJob exited " + rc);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Every text and HTML file under dir (tags stripped), cut into pieces of {@code words} words. */
    static List<String> pieces(Path dir, int words) throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".txt")
                    || p.toString().endsWith(".html")).sorted().toList();
        }
        List<String> out = new ArrayList<>();
        for (Path f : files) {
            String t = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
            if (f.toString().endsWith(".html")) {
                t = t.replaceAll("(?s)<(script|style)[^>]*>.*?</\\1>", " ").replaceAll("<[^>]+>", " ")
                        .replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
            }
            String[] w = t.trim().split("\\s+");
            for (int i = 0; i + words <= w.length; i += words) {
                out.add(String.join(" ", java.util.Arrays.asList(w).subList(i, i + words)));
            }
        }
        return out;
    }

    /** text with a share of its words replaced by random ones. */
    static String edit(String text, double share, SplittableRandom r) {
        String[] w = text.split(" ");
        for (int i = 0; i < w.length; i++) {
            if (r.nextDouble() < share) {
                w[i] = "x" + Integer.toString(r.nextInt(1 << 20), 36);
            }
        }
        return String.join(" ", w);
    }
}
