package io.sparkgpt.pipeline.lang;

import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.api.LanguageDetector;
import com.github.pemistahl.lingua.api.LanguageDetectorBuilder;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The language step's decision: the page's majority script first ({@link ScriptMajority}), OpenNLP's model on that
 * script's letters ({@link LanguageIdentifier}), then, where the model confuses close kin, a second opinion.
 * Indonesian pages come out Sundanese (the model's Indonesian, Malay and Sundanese are near each other on
 * technical text): within that group the kin's own function words pick the language (Indonesian and Malay share
 * theirs), and Lingua, asked about Indonesian and Malay only in its low-accuracy mode, tells those two apart. Its
 * two models load on first use (a few MB); most pages never reach it.
 *
 * <p>The score is the model's probability of the language (summed over the model's labels of one language code, and
 * over the group when the second opinion decided) times the share of the page's letters in the majority script: a
 * page that is 60% Persian is at most 0.6 Persian.
 */
public final class LanguageDecider {
    /**
     * Languages the model confuses (ISO 639-3, as it labels them): each one's frequent function words that the
     * others lack (ind's are Malay's too), and the languages Lingua tells apart when ind's words win.
     */
    record Group(Map<String, Set<String>> markers, List<Language> lingua) {}

    static final Group MALAY = new Group(Map.of(
            "ind", Set.of("yang", "dan", "dengan", "untuk", "tidak", "ini", "itu", "adalah", "atau", "dalam",
                    "pada", "akan", "bisa", "dapat"),
            "sun", Set.of("anu", "jeung", "teu", "ieu", "kana", "sareng", "henteu", "nu", "dina", "kudu", "ogé"),
            "jav", Set.of("lan", "ing", "kang", "sing", "iku", "karo", "ora", "utawa", "marang", "saka"),
            "min", Set.of("nan", "jo", "dek", "indak", "urang", "sado", "baliau", "ko", "sarato", "tiok")),
            List.of(Language.INDONESIAN, Language.MALAY));
    private static final Set<String> MALAY_LABELS = Set.of("ind", "zsm", "msa", "sun", "jav", "min");

    /**
     * Loaded once per JVM and shared by its tasks, as OpenNLP's model. Preloaded here, in class initialisation (which
     * the JVM runs once, before any thread can use the detector): Lingua would otherwise load models lazily into
     * static maps on first use, from whichever task thread comes first.
     */
    private static final class Lingua {
        static final LanguageDetector ID_MS = LanguageDetectorBuilder
                .fromLanguages(MALAY.lingua().toArray(new Language[0])).withLowAccuracyMode()
                .withPreloadedLanguageModels().build();
    }

    private final LanguageIdentifier model;
    private final int maxChars;
    /** Each model outcome's language code (ISO 639-1 where there is one), as an index into the distinct codes. */
    private final int[] codeOf;
    private final int numCodes;

    public LanguageDecider(int maxChars) {
        this.model = new LanguageIdentifier(maxChars);
        this.maxChars = maxChars;
        this.codeOf = new int[model.numLabels()];
        Map<String, Integer> codes = new java.util.HashMap<>();
        for (int i = 0; i < codeOf.length; i++) {
            codeOf[i] = codes.computeIfAbsent(Iso639.toTwoLetter(model.label(i)), c -> codes.size());
        }
        this.numCodes = codes.size();
    }

    public LanguageIdentifier.Guess identify(String text) {
        ScriptMajority.Result major = ScriptMajority.of(text);
        String t = major.text();
        String sample = t.length() > maxChars ? LanguageIdentifier.sample(t, maxChars) : t;
        double[] p = model.probabilities(sample);
        // the model splits some languages (Persian: pes and fas; Chinese: cmn and others): sum them per code
        double[] byCode = new double[numCodes];
        for (int i = 0; i < p.length; i++) {
            byCode[codeOf[i]] += p[i];
        }
        int code = 0;
        for (int c = 1; c < numCodes; c++) {
            if (byCode[code] < byCode[c]) {
                code = c;
            }
        }
        int best = -1;
        for (int i = 0; i < p.length; i++) {
            if (codeOf[i] == code && (best < 0 || p[best] < p[i])) {
                best = i;
            }
        }
        String iso3 = model.label(best);
        double score = byCode[code];
        if (MALAY_LABELS.contains(iso3)) {
            double groupP = 0;
            for (int i = 0; i < p.length; i++) {
                groupP += MALAY_LABELS.contains(model.label(i)) ? p[i] : 0;
            }
            String kin = byMarkers(sample, MALAY, iso3);
            if (kin != null) {
                iso3 = kin;
                score = groupP;
            }
            if (iso3.equals("ind") || iso3.equals("zsm") || iso3.equals("msa")) {
                Map<Language, Double> conf = Lingua.ID_MS.computeLanguageConfidenceValues(sample);
                if (!conf.isEmpty()) {
                    Map.Entry<Language, Double> top = conf.entrySet().iterator().next();
                    iso3 = top.getKey().getIsoCode639_3().name().toLowerCase(Locale.ROOT);
                    score = groupP * top.getValue();
                }
            }
        }
        return new LanguageIdentifier.Guess(Iso639.toTwoLetter(iso3), iso3, score * major.share());
    }

    /**
     * The group's language whose function words occur most often in the text; on a tie the model's answer if it is
     * among the tied, else none; null when no function word occurs.
     */
    static String byMarkers(String text, Group group, String modelAnswer) {
        Map<String, Integer> hits = new java.util.TreeMap<>();
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}]+")) {
            for (Map.Entry<String, Set<String>> e : group.markers().entrySet()) {
                if (e.getValue().contains(w)) {
                    hits.merge(e.getKey(), 1, Integer::sum);
                }
            }
        }
        int most = hits.values().stream().max(Integer::compare).orElse(0);
        List<String> tied = hits.entrySet().stream().filter(e -> e.getValue() == most).map(Map.Entry::getKey)
                .toList();
        if (tied.size() == 1) {
            return tied.get(0);
        }
        // ind's words are Malay's too
        String answer = modelAnswer.equals("zsm") || modelAnswer.equals("msa") ? "ind" : modelAnswer;
        return tied.contains(answer) ? answer : null;
    }
}
