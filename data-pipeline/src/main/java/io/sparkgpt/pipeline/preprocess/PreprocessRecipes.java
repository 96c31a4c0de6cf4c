package io.sparkgpt.pipeline.preprocess;

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
                         C4QualityFilter.Config c4, FineWebQualityFilter.Config fineweb)
            implements java.io.Serializable {}

    /**
     * FineWeb's order (Penedo et al. 2024, datatrove's fineweb.py): select HTML responses, extract the main text,
     * identify the language, Gopher repetition, Gopher quality, C4, FineWeb's own filters; then PII masking.
     * Dedup and tokenization are corpus-level steps appended with {@link Recipe#then(DatasetStep)}.
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
                new PiiStep());
    }
}
