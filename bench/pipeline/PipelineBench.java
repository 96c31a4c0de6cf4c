import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.pipeline.bench.HtmlCorpus;
import io.sparkgpt.pipeline.extract.CharsetDetection;
import io.sparkgpt.pipeline.extract.MainContentExtractor;
import io.sparkgpt.pipeline.preprocess.PreprocessJob;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pipeline benchmark: builds gzip WARC files of N pages ({@link BenchPages}: every distinct HTML page of the shared
 * data, each once when N is their number, the default; a larger N repeats them, and says how often), runs the
 * preprocess job on them in local[2], and prints MB/s of HTML and documents/s per core, end to end and per step (from stats.json: a step's
 * time is the sum over tasks, i.e. core-seconds). The job runs 1 + R times in one JVM (-Dbench.runs=R, default 3):
 * the first run's figure (JIT and code-generation warm-up included) and the median of the R after it are printed.
 * Before that, on the same pages and one thread: our extractor vs readability4j 1.0.8 (throughput, failures, and
 * word-level agreement of the two texts). Last line: the headline.
 */
public final class PipelineBench {
    public static void main(String[] args) throws Exception {
        int cores = Integer.getInteger("bench.cores", 2);
        Path shared = Path.of(System.getProperty("sparkgpt.shared.data", "../shared/data"));
        Path work = Files.createTempDirectory("pipeline-bench");
        BenchPages corpus = BenchPages.load(shared);
        List<HtmlCorpus.Page> pages = corpus.pages();
        int n = args.length > 0 ? Integer.parseInt(args[0]) : pages.size();
        long pageBytes = pages.stream().mapToLong(p -> p.html().length).sum();
        System.out.printf("corpus: %d distinct HTML pages, %.1f MB of HTML%n", pages.size(), pageBytes / 1e6);
        corpus.bySource.forEach((source, c) -> System.out.printf("  %-45s %5d pages%s%n", source, c[0],
                c[1] == 0 ? "" : String.format(" (%d byte-identical to an earlier page, left out)", c[1])));
        // what is repeated: nothing when n <= the distinct pages; else every page floor(n/size) or one more times
        String repeated = n <= pages.size() ? "no page repeated"
                : String.format("each page %d-%d times", n / pages.size(), (n + pages.size() - 1) / pages.size());
        System.out.printf("input: %d of the %d distinct pages, %s%n", n, pages.size(), repeated);

        // -Dbench.extractors=false skips the extractor comparison (not part of the timed job) when iterating
        if (Boolean.parseBoolean(System.getProperty("bench.extractors", "true"))) {
            compareExtractors(pages);
        }

        int files = Math.max(cores * 2, 4);
        long html = HtmlCorpus.writeWarcs(pages, n, files, work.resolve("in"));
        System.out.printf("input: %d pages in %d gzip WARC files, %.1f MB of HTML%n", n, files, html / 1e6);
        System.setProperty("spark.master", "local[" + cores + "]");
        System.setProperty("spark.ui.enabled", "false");
        // warm-up run on a few pages: the language model load and Spark's start are not the job's work
        HtmlCorpus.writeWarcs(pages, Math.min(400, n), files, work.resolve("warm"));
        Cli.execute(new PreprocessJob(), "--input", work.resolve("warm").toString(), "--output",
                work.resolve("warm-out").toString());
        // then the job on the N pages 1 + R times in this JVM: the first run pays the JIT's and Spark's code
        // generation warm-up (a fixed cost of a job, small next to a crawl-sized run); the headline is the median
        // of the R runs after it, and the first run's figure is printed beside it
        int runs = Integer.getInteger("bench.runs", 3);
        double[] walls = new double[runs + 1];
        for (int r = 0; r <= runs; r++) {
            long t0 = System.nanoTime();
            int rc = Cli.execute(new PreprocessJob(), "--input", work.resolve("in").toString(), "--output",
                    work.resolve("out").toString(), "--overwrite");
            walls[r] = (System.nanoTime() - t0) / 1e9;
            if (rc != 0) {
                throw new IllegalStateException("preprocess exit code " + rc);
            }
            System.out.printf("run %d%s: wall %.1f s, %.2f MB/s of HTML per core%n", r, r == 0 ? " (first)" : "",
                    walls[r], html / 1e6 / walls[r] / cores);
        }
        double[] steady = java.util.Arrays.copyOfRange(walls, 1, runs + 1);
        java.util.Arrays.sort(steady);
        double wall = runs == 0 ? walls[0] : steady[(runs - 1) / 2];
        JsonNode stats = Json.mapper().readTree(work.resolve("out/stats.json").toFile());
        printDigests(work.resolve("out"));
        System.out.println();
        System.out.println("| step | docs in | kept | MB in | core-s | MB/s per core | docs/s per core |");
        System.out.println("|---|---|---|---|---|---|---|");
        double stepSum = 0;
        for (JsonNode s : stats.get("steps")) {
            double sec = s.get("seconds").asDouble();
            stepSum += sec;
            long in = s.get("documentsIn").asLong();
            double mb = s.get("bytesIn").asLong() / 1e6;
            System.out.printf("| %s | %d | %d | %.1f | %.2f | %s | %s |%n", s.get("step").asText(), in,
                    s.get("documentsKept").asLong(), mb, sec, sec > 0 ? String.format("%.1f", mb / sec) : "-",
                    sec > 0 ? String.format("%.0f", in / sec) : "-");
        }
        System.out.printf("sum of step core-seconds (last run): %.1f; median wall: %.1f s on %d cores%n", stepSum, wall,
                cores);
        System.out.printf("kept %d of %d documents%n", stats.get("totals").get("documents").asLong(), n);
        double mbps = html / 1e6 / wall / cores;
        System.out.printf("end to end: %.1f docs/s per core%n", n / wall / cores);
        StringBuilder each = new StringBuilder();
        for (int r = 1; r <= runs; r++) {
            each.append(r > 1 ? " " : "").append(String.format("%.2f", html / 1e6 / walls[r] / cores));
        }
        System.out.printf("preprocess end to end (local[%d], %d pages, %s, %.1f MB HTML, all steps; first run "
                + "%.2f, then %s; median of %d): %.2f MB/s of HTML per core%n", cores, n, repeated, html / 1e6,
                html / 1e6 / walls[0] / cores, each, runs, mbps);
    }

    /**
     * After the timed run: rows and an order-independent digest (sum of xxhash64 over every column but source, map
     * as JSON) of documents, errors and each excluded folder, so that two runs' outputs can be compared line by line
     * (the WARC record ids, hence document ids, are derived from the URLs: the same in every run).
     */
    static void printDigests(Path out) throws Exception {
        org.apache.spark.sql.SparkSession spark = org.apache.spark.sql.SparkSession.active();
        List<Path> dirs = new java.util.ArrayList<>(List.of(out.resolve("documents"), out.resolve("errors")));
        try (var s = Files.list(out.resolve("excluded"))) {
            s.filter(Files::isDirectory).sorted().forEach(dirs::add);
        }
        for (Path d : dirs) {
            // source names the run's temporary input folder: left out
            org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> df = spark.read().parquet(d.toString())
                    .drop("source");
            org.apache.spark.sql.Column[] cols = java.util.Arrays.stream(df.schema().fields())
                    .map(f -> f.dataType() instanceof org.apache.spark.sql.types.MapType
                            ? org.apache.spark.sql.functions.to_json(org.apache.spark.sql.functions.col(f.name()))
                            : org.apache.spark.sql.functions.col(f.name()))
                    .toArray(org.apache.spark.sql.Column[]::new);
            org.apache.spark.sql.Row r = df.select(org.apache.spark.sql.functions.xxhash64(cols).cast("decimal(38,0)")
                    .as("h")).agg(org.apache.spark.sql.functions.count("h"), org.apache.spark.sql.functions.sum("h"))
                    .first();
            System.out.printf("output digest: %s rows %d sum %s columns %s%n", out.relativize(d), r.getLong(0),
                    r.isNullAt(1) ? "0" : r.getDecimal(1).toPlainString(), String.join(",", df.columns()));
        }
    }

    /** One thread, same pages, each extractor warmed up by one pass, then timed on a second pass. */
    static void compareExtractors(List<HtmlCorpus.Page> pages) {
        MainContentExtractor ours = new MainContentExtractor();
        // decoded as the job's extract step decodes them (header charset, else the page's own declaration or bytes)
        String[] htmls = pages.stream().map(p -> CharsetDetection.decode(p.html(), CharsetDetection.detect(p.html(),
                charsetOf(p.contentType())).charset())).toArray(String[]::new);
        long bytes = pages.stream().mapToLong(p -> p.html().length).sum();
        String[] a = new String[htmls.length];
        String[] b = new String[htmls.length];
        for (int pass = 0; pass < 2; pass++) {
            long t = System.nanoTime();
            for (int i = 0; i < htmls.length; i++) {
                a[i] = ours.extract(htmls[i], pages.get(i).url());
            }
            double s = (System.nanoTime() - t) / 1e9;
            if (pass == 1) {
                System.out.printf("extractor (ours, jsoup + density rules): %.1f MB/s, %.0f pages/s, 0 failures%n",
                        bytes / 1e6 / s, htmls.length / s);
            }
        }
        int failures = 0;
        for (int pass = 0; pass < 2; pass++) {
            failures = 0;
            long t = System.nanoTime();
            for (int i = 0; i < htmls.length; i++) {
                try {
                    b[i] = new net.dankito.readability4j.Readability4J(pages.get(i).url(), htmls[i]).parse()
                            .getTextContent();
                } catch (RuntimeException e) {
                    failures++;
                    b[i] = null;
                }
            }
            double s = (System.nanoTime() - t) / 1e9;
            if (pass == 1) {
                System.out.printf("extractor (readability4j 1.0.8): %.1f MB/s, %.0f pages/s, %d failures (%.1f%%)%n",
                        bytes / 1e6 / s, htmls.length / s, failures, 100.0 * failures / htmls.length);
            }
        }
        // agreement: word multiset precision/recall of ours against readability's text, where readability worked
        double p = 0;
        double r = 0;
        int m = 0;
        for (int i = 0; i < htmls.length; i++) {
            if (b[i] == null || b[i].isBlank()) {
                continue;
            }
            Map<String, Integer> x = bag(a[i]);
            Map<String, Integer> y = bag(b[i]);
            long common = 0;
            long nx = x.values().stream().mapToLong(Integer::longValue).sum();
            long ny = y.values().stream().mapToLong(Integer::longValue).sum();
            for (Map.Entry<String, Integer> e : x.entrySet()) {
                common += Math.min(e.getValue(), y.getOrDefault(e.getKey(), 0));
            }
            p += nx == 0 ? 0 : (double) common / nx;
            r += ny == 0 ? 0 : (double) common / ny;
            m++;
        }
        System.out.printf("agreement with readability4j on %d pages: precision %.3f, recall %.3f (word bags)%n", m,
                p / m, r / m);
    }

    static String charsetOf(String contentType) {
        int i = contentType.toLowerCase(java.util.Locale.ROOT).indexOf("charset=");
        return i < 0 ? null : contentType.substring(i + 8).replace("\"", "").trim();
    }

    static Map<String, Integer> bag(String s) {
        Map<String, Integer> m = new HashMap<>();
        for (String w : s.toLowerCase().split("\\W+")) {
            if (!w.isEmpty()) {
                m.merge(w, 1, Integer::sum);
            }
        }
        return m;
    }
}
