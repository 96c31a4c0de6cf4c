import io.sparkgpt.pipeline.extract.ExtractionScore;
import io.sparkgpt.pipeline.extract.LabelledPages;
import io.sparkgpt.pipeline.extract.MainContentExtractor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Main-content extraction quality and speed on a labelled set (Mozilla Readability's 130 test pages): word-level
 * precision/recall/F1 (means over pages, {@link ExtractionScore}) of our extractor and of readability4j 1.0.8 against
 * the expected articles, pages left empty, and MB/s of HTML on one thread (each extractor warmed up, then timed,
 * rounds alternating so that both see the same machine load). -Dbench.worst=N lists our N worst pages.
 * Last line: our F1.
 */
public final class ExtractionBench {
    public static void main(String[] args) throws Exception {
        Path tar = Path.of(args[0]);
        int rounds = Integer.getInteger("bench.rounds", 3);
        List<LabelledPages.Page> pages = LabelledPages.fromTarGz(tar);
        long bytes = pages.stream().mapToLong(p -> p.html().getBytes(StandardCharsets.UTF_8).length).sum();
        System.out.printf("pages: %d (%s), %.1f MB of HTML%n", pages.size(), tar.getFileName(), bytes / 1e6);
        MainContentExtractor ours = new MainContentExtractor();
        Function<LabelledPages.Page, String> oursFn = p -> ours.extract(p.html(), LabelledPages.url(p));
        Function<LabelledPages.Page, String> r4jFn = p -> {
            try {
                return new net.dankito.readability4j.Readability4J(LabelledPages.url(p), p.html()).parse()
                        .getTextContent();
            } catch (RuntimeException e) {
                return null;
            }
        };
        String[] a = run(pages, oursFn);
        String[] b = run(pages, r4jFn);
        // speed: alternating rounds, best of each (the machine is shared: the best round is the least disturbed)
        double bestOurs = Double.MAX_VALUE;
        double bestR4j = Double.MAX_VALUE;
        for (int r = 0; r < rounds; r++) {
            long t = System.nanoTime();
            run(pages, oursFn);
            bestOurs = Math.min(bestOurs, (System.nanoTime() - t) / 1e9);
            t = System.nanoTime();
            run(pages, r4jFn);
            bestR4j = Math.min(bestR4j, (System.nanoTime() - t) / 1e9);
        }
        List<ExtractionScore> sa = new ArrayList<>();
        List<ExtractionScore> sb = new ArrayList<>();
        int emptyA = 0;
        int emptyB = 0;
        int failB = 0;
        List<String> emptyNames = new ArrayList<>();
        for (int i = 0; i < pages.size(); i++) {
            sa.add(ExtractionScore.of(a[i], pages.get(i).expectedText()));
            sb.add(ExtractionScore.of(b[i], pages.get(i).expectedText()));
            if (a[i].isBlank()) {
                emptyA++;
                emptyNames.add(pages.get(i).name());
            }
            if (b[i] == null) {
                failB++;
            } else if (b[i].isBlank()) {
                emptyB++;
            }
        }
        int worst = Integer.getInteger("bench.worst", 0);
        if (worst > 0) {
            List<Integer> idx = new ArrayList<>();
            for (int i = 0; i < pages.size(); i++) {
                idx.add(i);
            }
            idx.sort(Comparator.comparingDouble(i -> sa.get(i).f1()));
            for (int k = 0; k < Math.min(worst, idx.size()); k++) {
                int i = idx.get(k);
                System.out.printf("  %-45s ours P %.3f R %.3f F1 %.3f | readability4j F1 %.3f%n", pages.get(i).name(),
                        sa.get(i).precision(), sa.get(i).recall(), sa.get(i).f1(), sb.get(i).f1());
            }
        }
        ExtractionScore ma = ExtractionScore.mean(sa);
        ExtractionScore mb = ExtractionScore.mean(sb);
        int worse = 0;
        for (int i = 0; i < pages.size(); i++) {
            if (sa.get(i).f1() < sb.get(i).f1() - 0.05) {
                worse++;
            }
        }
        double mbsA = bytes / 1e6 / bestOurs;
        double mbsB = bytes / 1e6 / bestR4j;
        System.out.printf("readability4j 1.0.8: P %.3f R %.3f F1 %.3f, %d empty, %d failures, %.1f MB/s%n",
                mb.precision(), mb.recall(), mb.f1(), emptyB, failB, mbsB);
        System.out.printf("ours:                P %.3f R %.3f F1 %.3f, %d empty %s, %.1f MB/s (%.2fx readability4j); "
                + "%d pages > 0.05 F1 below readability4j%n", ma.precision(), ma.recall(), ma.f1(), emptyA, emptyNames,
                mbsA, mbsA / mbsB, worse);
        System.out.printf("main-content extraction F1 on %d Mozilla Readability test pages (ours; readability4j %.3f; "
                + "speed %.2fx): %.3f%n", pages.size(), mb.f1(), mbsA / mbsB, ma.f1());
    }

    static String[] run(List<LabelledPages.Page> pages, Function<LabelledPages.Page, String> f) {
        String[] out = new String[pages.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.apply(pages.get(i));
        }
        return out;
    }
}
