package io.sparkgpt.pipeline.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.pipeline.dedup.DedupConfig;
import io.sparkgpt.pipeline.extract.ExtractStep;
import io.sparkgpt.pipeline.extract.SelectStep;
import io.sparkgpt.pipeline.lang.LanguageStep;
import io.sparkgpt.pipeline.quality.C4QualityFilter;
import io.sparkgpt.pipeline.quality.FineWebQualityFilter;
import io.sparkgpt.pipeline.quality.GopherQualityFilter;
import io.sparkgpt.pipeline.quality.GopherRepetitionFilter;
import io.sparkgpt.pipeline.read.ReadItem;
import io.sparkgpt.pipeline.step.Document;
import io.sparkgpt.pipeline.step.Schemas;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The preprocess recipe as the CLI builds it: every step listed, every default its config's. No Spark. */
class PreprocessRecipeTest {
    static PreprocessJob parse(String... extra) {
        PreprocessJob job = new PreprocessJob();
        List<String> args = new ArrayList<>(List.of("--input", "in", "--output", "out"));
        args.addAll(List.of(extra));
        new CommandLine(job).parseArgs(args.toArray(String[]::new));
        return job;
    }

    @Test
    void theRecipeListsEveryStepInFineWebsOrderDedupIncluded() {
        assertEquals(List.of("select", "extract", "language", "gopher_repetition", "gopher_quality", "c4", "fineweb",
                "pii", "dedup"), parse().recipe().stepNames());
        assertEquals(List.of("select", "extract", "pii"), parse("--steps", "select,extract,pii").recipe()
                .stepNames());
    }

    @Test
    void cliDefaultsAreTheConfigsDefaults() {
        PreprocessRecipes.Config c = parse().config();
        assertEquals(ExtractStep.Config.defaults(), c.extract());
        assertEquals(LanguageStep.Config.defaults(), c.language());
        GopherRepetitionFilter.Config r = c.gopherRepetition();
        GopherRepetitionFilter.Config rd = GopherRepetitionFilter.Config.defaults();
        assertEquals(List.of(rd.dupLineFrac(), rd.dupParaFrac(), rd.dupLineCharFrac(), rd.dupParaCharFrac()),
                List.of(r.dupLineFrac(), r.dupParaFrac(), r.dupLineCharFrac(), r.dupParaCharFrac()));
        assertArrayEquals(rd.topNGramFrac(), r.topNGramFrac());
        assertArrayEquals(rd.dupNGramFrac(), r.dupNGramFrac());
        assertEquals(GopherQualityFilter.Config.defaults(), c.gopherQuality());
        assertEquals(C4QualityFilter.Config.defaults(), c.c4());
        assertEquals(FineWebQualityFilter.Config.defaults(), c.fineweb());
        assertEquals(DedupConfig.defaults(), c.dedup());
    }

    @Test
    void optionsReachTheirConfig() {
        PreprocessRecipes.Config c = parse("--extract-mode", "full", "--languages", "en,de", "--language-threshold",
                "0.5", "--top-ngram-fracs", "0.1,0.1,0.1", "--gopher-min-doc-words", "20",
                "--no-c4-filter-curly-bracket", "--fineweb-new-line-ratio", "0.4", "--dedup-threshold", "0.8")
                .config();
        assertFalse(c.extract().mainContent());
        assertEquals(List.of("en", "de"), c.language().languages());
        assertEquals(0.5, c.language().threshold());
        assertArrayEquals(new double[] {0.1, 0.1, 0.1}, c.gopherRepetition().topNGramFrac(), "replaced, not added");
        assertEquals(20, c.gopherQuality().minDocWords());
        assertFalse(c.c4().filterCurlyBracket());
        assertEquals(0.4, c.fineweb().newLineRatio());
        assertEquals(0.8, c.dedup().jaccardThreshold());
        assertThrows(UsageException.class, () -> parse("--extract-mode", "fast").recipe());
    }

    /** A threshold written into an annotation would be a second source of truth: the mixins read defaults(). */
    @Test
    void noMixinOptionRepeatsADefault() {
        int options = 0;
        for (Field m : PreprocessJob.class.getDeclaredFields()) {
            if (m.isAnnotationPresent(Mixin.class)) {
                for (Field f : m.getType().getDeclaredFields()) {
                    Option o = f.getAnnotation(Option.class);
                    if (o != null) {
                        options++;
                        // picocli's marker for "no defaultValue given"
                        assertEquals("__no_default_value__", o.defaultValue(), m.getType().getSimpleName() + "."
                                + f.getName());
                    }
                }
            }
        }
        assertTrue(options >= 30, "the mixins' options were found: " + options);
    }

    @Test
    void aSelectionWithoutSelectAndExtractIsAUsageError() {
        UsageException e = assertThrows(UsageException.class, () -> parse("--steps", "language,c4").recipe());
        assertTrue(e.getMessage().contains("select and extract"), e.getMessage());
        assertThrows(UsageException.class, () -> parse("--steps", "nosuchstep").recipe());
    }

    /** Nothing extracts text behind the recipe's back: an HTML page that no step extracted is excluded. */
    @Test
    void htmlThatNoStepExtractedIsExcluded() {
        Document d = new Document();
        d.id = "a";
        d.source = "f.warc.gz";
        d.url = "https://example.org/";
        d.html = true;
        d.httpStatus = 200;
        d.raw = "<html><body><p>Some text that nobody extracted.</p></body></html>".getBytes(StandardCharsets.UTF_8);
        Map<String, Long> counters = new TreeMap<>();
        List<Row> rows = Pipelines.run(List.of(new SelectStep()), List.of(ReadItem.of(d)), counters);
        Row r = rows.get(0);
        assertEquals(Schemas.EXCLUDED, r.getString(8));
        assertEquals("not_extracted", r.getString(10));
        assertTrue(r.isNullAt(6), "no text");
    }
}
