package io.sparkgpt.pipeline.lang;

import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.api.LanguageDetector;
import com.github.pemistahl.lingua.api.LanguageDetectorBuilder;
import java.lang.Character.UnicodeScript;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The language step's decision: the page's majority script first ({@link ScriptMajority}), OpenNLP's model on that
 * script's letters ({@link LanguageIdentifier}), read in pieces spread over the page ({@link SpreadSample}: a page
 * part translated, part English, is named by the language of most of it), then, where the model confuses close kin, a second opinion.
 * Indonesian pages come out Sundanese (the model's Indonesian, Malay and Sundanese are near each other on
 * technical text): within that group the kin's own function words pick the language (Indonesian and Malay share
 * theirs), then the words Indonesian and Malay spell or choose differently (bahwa/bahawa, karena/kerana, ...), and
 * only when those are too few to decide, Lingua, asked about Indonesian and Malay only in its low-accuracy mode, on
 * a shorter sample. Its two models load on first use (a few MB); few pages reach it. The same kind of stage tells
 * apart Tagalog, Cebuano and Waray (their own function words), and Serbian from Bosnian and Croatian (ekavian or
 * ijekavian forms of common words, in either script) and Croatian from Bosnian (tko/ko and a few word choices).
 * A page whose majority script is one the model has (almost) no letters of (Javanese, Mongolian, Grantha, ...) is
 * {@code und}: the model would name some language, and it would be wrong.
 *
 * <p>The score is the model's probability of the language (for a page read in pieces, their mean, each piece's
 * sharpened to a whole sample's length; summed over the model's labels of one language code, and over the kin group
 * for a language of one) times the share of the page's letters in the majority script: a
 * page that is 60% Persian is at most 0.6 Persian.
 */
public final class LanguageDecider {
    /** What the decider says of a text in a script the model was not trained on. */
    public static final String UNKNOWN = "und";

    /**
     * Languages the model confuses (ISO 639-3, as it labels them): each one's frequent function words that the
     * others lack (ind's are Malay's too).
     */
    static final KinMarkers MALAY = KinMarkers.of(Map.of(
            "ind", Set.of("yang", "dan", "dengan", "untuk", "tidak", "ini", "itu", "adalah", "atau", "dalam",
                    "pada", "akan", "bisa", "dapat"),
            "sun", Set.of("anu", "jeung", "teu", "ieu", "kana", "sareng", "henteu", "nu", "dina", "kudu", "ogé"),
            "jav", Set.of("lan", "ing", "kang", "sing", "iku", "karo", "ora", "utawa", "marang", "saka"),
            "min", Set.of("nan", "jo", "dek", "indak", "urang", "sado", "baliau", "ko", "sarato", "tiok")));
    private static final Set<String> MALAY_LABELS = Set.of("ind", "zsm", "msa", "sun", "jav", "min");

    /**
     * Words that Indonesian and Malay spell or choose differently (the common spelling of 1972 left these): that,
     * because, namely, can (ms bisa is venom), want, money, please, only, new, after; loanwords Indonesian took from
     * Dutch and Malay from English (proyek/projek, kualitas/kualiti, otomatis/automatik, gratis/percuma, ...); and
     * the computing words their translators chose apart (file, password, package, code, network, device,
     * software, hardware, download, server, settings, link, support, e-mail, service, browser, display, update,
     * database, developer).
     */
    static final KinMarkers ID_MS = KinMarkers.of(Map.of(
            "ind", Set.of("bahwa", "karena", "yaitu", "bisa", "mau", "uang", "silakan", "proyek", "kualitas",
                    "komunitas", "aktivitas", "universitas", "otomatis", "standar", "gratis", "lisensi", "praktis",
                    "efektif", "efisien", "instalasi", "berkas", "sandi", "paket", "kode", "jaringan", "perangkat",
                    "unduh", "mengunduh", "diunduh", "pengaturan", "tautan", "dukungan", "surel", "layanan",
                    "peramban", "tampilan", "menampilkan", "pembaruan", "memperbarui", "basis", "pengembang",
                    "pengembangan"),
            "zsm", Set.of("bahawa", "kerana", "iaitu", "sahaja", "mahu", "wang", "sila", "baharu", "selepas",
                    "projek", "kualiti", "komuniti", "aktiviti", "universiti", "automatik", "percuma",
                    "lesen", "praktikal", "berkesan", "cekap", "laluan", "pakej", "kod", "rangkaian", "peranti",
                    "perisian", "perkakasan", "pelayan", "tetapan", "pautan", "sokongan", "perkhidmatan", "pelayar",
                    "paparan", "memaparkan", "kemas", "pangkalan")));

    /**
     * Tagalog, Cebuano and Waray: the words for "and", the genitive/oblique markers and "not" that each has and
     * the others lack (ang, sa, mga are all three's; nga Cebuano's and Waray's).
     */
    static final KinMarkers PHILIPPINE = KinMarkers.of(Map.of(
            "tgl", Set.of("ng", "at", "ay", "hindi", "naman", "ito", "nang"),
            "ceb", Set.of("ug", "dili", "kini", "adunay", "niini"),
            "war", Set.of("han", "ngan", "hin", "diri", "an", "ini", "waray")));
    private static final Set<String> PHILIPPINE_LABELS = Set.of("tgl", "ceb", "war");

    /**
     * Serbian writes the old yat as e (ekavian: svet, vreme, čovek), Bosnian and Croatian as ije/je (ijekavian:
     * svijet, vrijeme, čovjek). Frequent words of both kinds, Latin spelling (Cyrillic is transliterated).
     */
    static final KinMarkers YAT = KinMarkers.of(Map.of(
            "ije", Set.of("svijet", "svijeta", "svijetu", "svijetom", "vrijeme", "čovjek", "čovjeka",
                    "čovjeku", "čovjekom", "čovječanstva", "mjesto", "mjesta", "mjestu", "dijete", "djeca", "djece",
                    "djecu", "cijeli", "cijelog", "cijelom", "gdje", "ovdje", "uvijek", "prije", "poslije", "lijep",
                    "lijepo", "bijel", "vjera", "vjere", "vjerovanja", "savjest", "savjesti", "posljedicu", "riječ",
                    "riječi", "dio", "djelo", "djela", "nasljeđe", "mjere", "mjera", "razumijevanje", "tijelo",
                    "tijela"),
            "e", Set.of("svet", "sveta", "svetu", "svetom", "vreme", "čovek", "čoveka", "čoveku", "čovekom",
                    "čovečanstva", "mesto", "mesta", "mestu", "dete", "deca", "dece", "decu", "ceo", "celog",
                    "celom", "gde", "ovde", "uvek", "pre", "posle", "lep", "lepo", "beo", "vera", "vere",
                    "verovanja", "savest", "savesti", "posledicu", "reč", "reči", "deo", "delo", "dela", "nasleđe",
                    "mere", "mera", "razumevanje", "telo", "tela")));

    /**
     * Croatian's "who" (tko, netko, nitko, svatko) and word choices against Bosnian and Serbian ones. Not Bosnian's
     * neko ("someone"): it is also the neuter of neki ("some") in all three standards (Croatian "neko vrijeme",
     * "neko predznanje"), so it marks none of them.
     */
    static final KinMarkers WHO = KinMarkers.of(Map.of(
            "hrv", Set.of("tko", "netko", "nitko", "svatko", "itko", "tisuća", "tisuću", "tjedan", "tjedna",
                    "kruh", "povijest", "povijesti", "znanost", "znanosti", "sveučilište", "glazba", "glazbe",
                    "obitelj", "obitelji", "točka", "vlak"),
            "bos", Set.of("ko", "niko", "svako", "iko", "hiljada", "hiljadu", "sedmica", "sedmice",
                    "hljeb", "historija", "historije", "nauka", "nauke", "univerzitet", "muzika", "muzike",
                    "porodica", "porodice", "tačka", "voz")));
    private static final Set<String> HBS_LABELS = Set.of("bos", "hrv", "srp");


    /**
     * Loaded once per JVM and shared by its tasks, as OpenNLP's model. Preloaded here, in class initialisation (which
     * the JVM runs once, before any thread can use the detector): Lingua would otherwise load models lazily into
     * static maps on first use, from whichever task thread comes first.
     */
    private static final class Lingua {
        static final LanguageDetector ID_MS = LanguageDetectorBuilder
                .fromLanguages(Language.INDONESIAN, Language.MALAY).withLowAccuracyMode()
                .withPreloadedLanguageModels().build();
    }

    /**
     * Characters of the sample Lingua reads: its cost grows with the text, and on the 35 texts of udhr and the
     * handbook's id-ID pages that reach it, 600 gave Lingua's answer on 1,000 every time (400: 32 of 35).
     */
    static final int LINGUA_CHARS = 600;

    private final LanguageIdentifier model;
    private final int maxChars;
    /**
     * Each model outcome's pool, as an index into the distinct pools: its language code (ISO 639-1 where there is
     * one), or its kin group (Malay, Philippine, Serbo-Croatian) for a language of one.
     */
    private final int[] poolOf;
    private final int numPools;

    public LanguageDecider(int maxChars) {
        this.model = new LanguageIdentifier(maxChars);
        this.maxChars = maxChars;
        this.poolOf = new int[model.numLabels()];
        Map<String, Integer> pools = new java.util.HashMap<>();
        for (int i = 0; i < poolOf.length; i++) {
            String label = model.label(i);
            String pool = MALAY_LABELS.contains(label) ? "malay" : PHILIPPINE_LABELS.contains(label) ? "philippine"
                    : HBS_LABELS.contains(label) ? "hbs" : Iso639.toTwoLetter(label);
            poolOf[i] = pools.computeIfAbsent(pool, c -> pools.size());
        }
        this.numPools = pools.size();
    }

    public LanguageIdentifier.Guess identify(String text) {
        ScriptMajority.Result major = ScriptMajority.of(text);
        List<String> pieces = SpreadSample.pieces(major.text(), maxChars, SpreadSample.PIECES);
        String sample = pieces.size() == 1 ? pieces.get(0) : String.join("\n", pieces);
        if (major.script() != UnicodeScript.LATIN && !modelKnowsLetters(sample)) {
            return new LanguageIdentifier.Guess(UNKNOWN, UNKNOWN, 0);
        }
        double[] p;
        double[] sure;
        if (pieces.size() == 1) {
            p = model.probabilities(sample);
            sure = p;
        } else {
            p = new double[model.numLabels()];
            sure = new double[p.length];
            readPieces(pieces, p, sure);
        }
        // the model splits some languages (Persian: pes and fas; Chinese: cmn and others): sum them per code; and
        // close kin, which the stages below tell apart, are one pool: on a page read in pieces, Indonesian's
        // probability is spread over id, ms and su, and English's, not spread, would win with less. The leader is
        // the pool with the most probability above chance (1 / labels): on a short text the model is near uniform,
        // and a pool of six labels would otherwise win by its six shares of the floor
        double chance = 1.0 / p.length;
        double[] byPool = new double[numPools];
        double[] aboveChance = new double[numPools];
        for (int i = 0; i < p.length; i++) {
            byPool[poolOf[i]] += sure[i];
            aboveChance[poolOf[i]] += Math.max(0, p[i] - chance);
        }
        int pool = 0;
        for (int c = 1; c < numPools; c++) {
            if (aboveChance[pool] < aboveChance[c]) {
                pool = c;
            }
        }
        int best = -1;
        for (int i = 0; i < p.length; i++) {
            if (poolOf[i] == pool && (best < 0 || p[best] < p[i])) {
                best = i;
            }
        }
        String iso3 = model.label(best);
        double score = byPool[pool];
        if (MALAY_LABELS.contains(iso3)) {
            String kin = MALAY.leader(MALAY.count(sample), 1);
            iso3 = kin != null ? kin : iso3;
            if (iso3.equals("ind") || iso3.equals("zsm") || iso3.equals("msa")) {
                String idMs = ID_MS.leader(ID_MS.count(sample), 2);
                if (idMs != null) {
                    iso3 = idMs;
                } else {
                    Map<Language, Double> conf = Lingua.ID_MS.computeLanguageConfidenceValues(
                            sample.length() > LINGUA_CHARS ? sample.substring(0, LINGUA_CHARS) : sample);
                    if (!conf.isEmpty()) {
                        Map.Entry<Language, Double> top = conf.entrySet().iterator().next();
                        iso3 = top.getKey().getIsoCode639_3().name().toLowerCase(Locale.ROOT);
                        score *= top.getValue();
                    }
                }
            }
        } else if (PHILIPPINE_LABELS.contains(iso3)) {
            String kin = PHILIPPINE.leader(PHILIPPINE.count(sample), 1);
            iso3 = kin != null ? kin : iso3;
        } else if (HBS_LABELS.contains(iso3)) {
            iso3 = serboCroatian(sample, major.script(), iso3);
        }
        return new LanguageIdentifier.Guess(Iso639.toTwoLetter(iso3), iso3, score * major.share());
    }

    /**
     * Serbian when ekavian forms outnumber ijekavian ones; among ijekavian Latin text, Croatian or Bosnian by
     * their "who" and word choices (two more of one than of the other); else (ijekavian Cyrillic is Bosnian or Serbian alike; no markers) the model's.
     */
    static String serboCroatian(String sample, UnicodeScript script, String modelAnswer) {
        String yat = YAT.leader(YAT.count(sample), 1);
        if ("e".equals(yat)) {
            return "srp";
        }
        if ("ije".equals(yat)) {
            if (script == UnicodeScript.CYRILLIC) {
                // Croatian is not written in Cyrillic
                return modelAnswer.equals("hrv") ? "srp" : modelAnswer;
            }
            // two markers ahead, as Indonesian/Malay: one word of a page (a name, an abbreviation) does not decide
            String who = WHO.leader(WHO.count(sample), 2);
            return who != null ? who : modelAnswer.equals("srp") ? "hrv" : modelAnswer;
        }
        return modelAnswer;
    }

    /**
     * Reads each piece: {@code mean} gets the pieces' probabilities averaged with their lengths as weights (which
     * language has most of the page: the choice); {@code sure} the same average of each piece's probabilities
     * sharpened to the length of the whole sample (the score). The model's confidence grows with the text it reads:
     * its log-probabilities are sums over n-grams, so a piece a fifth of the sample long scores about a fifth as far
     * apart, and its probabilities to the fifth power (renormalised) are about what a sample of its kind would give.
     * Averaged unsharpened, a page in one language read in five pieces would score 0.27 where read whole it scored
     * 0.99 (median of the PostgreSQL pages in data/test), and the step's threshold would drop it.
     */
    private void readPieces(List<String> pieces, double[] mean, double[] sure) {
        int chars = 0;
        for (String piece : pieces) {
            chars += piece.length();
        }
        double[] sharp = new double[mean.length];
        for (String piece : pieces) {
            double[] p = model.probabilities(piece);
            double weight = (double) piece.length() / Math.max(1, chars);
            double power = (double) chars / Math.max(1, piece.length());
            double top = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < p.length; i++) {
                mean[i] += p[i] * weight;
                sharp[i] = power * Math.log(Math.max(p[i], Double.MIN_NORMAL));
                top = Math.max(top, sharp[i]);
            }
            double sum = 0;
            for (int i = 0; i < p.length; i++) {
                sharp[i] = Math.exp(sharp[i] - top);
                sum += sharp[i];
            }
            for (int i = 0; i < p.length; i++) {
                sure[i] += sharp[i] / sum * weight;
            }
        }
    }

    /** Letters of the sample {@link #modelKnowsLetters} looks up: a script is known or not, a few letters tell. */
    static final int LETTERS_CHECKED = 64;

    /**
     * Whether most of the sample's first letters are ones the model has seen: the model has no data for some scripts
     * (Javanese, Mongolian, Grantha, ...); on them it still names a language, with no ground for it.
     */
    private boolean modelKnowsLetters(String sample) {
        int letters = 0;
        int known = 0;
        for (int i = 0, n = sample.length(); i < n && letters < LETTERS_CHECKED; ) {
            int cp = sample.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isLetter(cp)) {
                letters++;
                known += model.knowsLetter(cp) ? 1 : 0;
            }
        }
        return letters == 0 || known * 2 >= letters;
    }
}
