package io.sparkgpt.pipeline.preprocess;

import io.sparkgpt.pipeline.dedup.DedupConfig;
import io.sparkgpt.pipeline.dedup.DedupStep;
import io.sparkgpt.pipeline.extract.ExtractStep;
import io.sparkgpt.pipeline.extract.SelectStep;
import io.sparkgpt.pipeline.lang.LanguageStep;
import io.sparkgpt.pipeline.pii.PiiStep;
import io.sparkgpt.pipeline.quality.C4QualityFilter;
import io.sparkgpt.pipeline.quality.FineWebQualityFilter;
import io.sparkgpt.pipeline.quality.GopherQualityFilter;
import io.sparkgpt.pipeline.quality.GopherRepetitionFilter;
import io.sparkgpt.pipeline.step.DatasetStep;
import io.sparkgpt.pipeline.step.Recipe;

/** Named recipes. */
public final class PreprocessRecipes {
    private PreprocessRecipes() {}

    /** Typed configuration of every step of {@link #fineweb}. */
    public record Config(ExtractStep.Config extract, LanguageStep.Config language,
                         GopherRepetitionFilter.Config gopherRepetition, GopherQualityFilter.Config gopherQuality,
                         C4QualityFilter.Config c4, FineWebQualityFilter.Config fineweb, DedupConfig dedup)
            implements java.io.Serializable {}

    /**
     * FineWeb (Penedo et al. 2024; datatrove's examples/fineweb.py), every step of it:
     * <ol>
     *   <li>select: HTTP 200 HTML responses and text records (FineWeb's reader and URL filter stage);</li>
     *   <li>extract: charset, then main text (FineWeb: trafilatura);</li>
     *   <li>language, Gopher repetition, Gopher quality, C4, FineWeb's own filters;</li>
     *   <li>PII masking;</li>
     *   <li>dedup: MinHash near-duplicate removal (with exact URL and content dedup before it).</li>
     * </ol>
     * One difference from the paper's figure, which puts MinHash right after the Gopher filters and PII after dedup:
     * here every per-document step runs in one streaming pass over each input file and the corpus-level dedup runs
     * after that pass, as in datatrove's fineweb.py, which filters with C4 and FineWeb's rules before its MinHash
     * stages; PII is masked before dedup (a masked e-mail shingles as the same token in every copy).
     * Tokenization is a separate job ({@code tokenize}), or another corpus-level step appended with
     * {@link Recipe#then(DatasetStep)}.
     */
    public static Recipe fineweb(Config c) {
        return Recipe.of(
                new SelectStep(),
                new ExtractStep(c.extract()),
                new LanguageStep(c.language()),
                new GopherRepetitionFilter(c.gopherRepetition()),
                new GopherQualityFilter(c.gopherQuality()),
                new C4QualityFilter(c.c4()),
                new FineWebQualityFilter(c.fineweb()),
                new PiiStep())
            .then(new DedupStep(c.dedup()));
    }
}
