package io.sparkgpt.pipeline.preprocess;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.pipeline.dedup.DedupConfig;
import io.sparkgpt.pipeline.dedup.DedupStep;
import io.sparkgpt.pipeline.extract.ExtractStep;
import io.sparkgpt.pipeline.lang.LanguageIdentifier;
import io.sparkgpt.pipeline.lang.LanguageStep;
import io.sparkgpt.pipeline.quality.C4QualityFilter;
import io.sparkgpt.pipeline.quality.FineWebQualityFilter;
import io.sparkgpt.pipeline.quality.GopherQualityFilter;
import io.sparkgpt.pipeline.quality.GopherRepetitionFilter;
import io.sparkgpt.pipeline.read.InputFiles;
import io.sparkgpt.pipeline.read.ReadOptions;
import io.sparkgpt.pipeline.step.Recipe;
import io.sparkgpt.spark.Sessions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code preprocess}: raw crawl files (WARC, WET, text, JSONL) to clean, language-tagged, quality-filtered
 * {@code documents} in Parquet, with {@code excluded/<step>}, {@code errors}, {@code stats.json} and
 * {@code _SUCCESS}. The steps are {@link PreprocessRecipes#fineweb}; every threshold is an option whose default is
 * the published one.
 */
@Command(name = "preprocess", mixinStandardHelpOptions = true, sortOptions = false,
        description = "WARC/WET/text/JSONL -> documents (Parquet): select, extract, language, gopher_repetition, "
                + "gopher_quality, c4, fineweb, pii.")
public final class PreprocessJob implements Callable<Integer> {
    @Option(names = "--input", arity = "1..*", required = true, paramLabel = "PATH",
            description = "Input files, folders, globs, or *.paths(.gz) listings; local or s3a://.")
    List<String> input;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Output folder (local or s3a://).")
    String output;

    @Option(names = "--steps", split = ",", paramLabel = "STEP",
            description = "Steps to run, comma-separated (default: all): select,extract,language,gopher_repetition,"
                    + "gopher_quality,c4,fineweb,pii.")
    List<String> steps;

    @Option(names = "--overwrite", description = "Start over: delete the output first (default: resume).")
    boolean overwrite;

    @Option(names = "--partitions", defaultValue = "0",
            description = "Parquet files of documents (default ${DEFAULT-VALUE}: one per input file).")
    int partitions;

    @Option(names = "--listing-prefix", defaultValue = "s3a://commoncrawl/",
            description = "Prefix for relative lines of *.paths listings (default ${DEFAULT-VALUE}).")
    String listingPrefix;

    @Option(names = "--max-record-bytes", defaultValue = "" + ReadOptions.DEFAULT_MAX_RECORD_BYTES,
            description = "Payloads longer than this are dropped as too_large, never buffered (default ${DEFAULT-VALUE}).")
    long maxRecordBytes;

    // extract
    @Option(names = "--extract-mode", defaultValue = "main",
            description = "main (main content, boilerplate removed) or full (all visible text) (default ${DEFAULT-VALUE}).")
    String extractMode;

    @Option(names = "--max-replacement-ratio", defaultValue = "0.05",
            description = "Drop a page as undecodable above this share of U+FFFD (default ${DEFAULT-VALUE}).")
    double maxReplacementRatio;

    // language
    @Option(names = "--languages", split = ",", paramLabel = "LANG",
            description = "Languages to keep (ISO 639-1 or 639-3), comma-separated (default: all).")
    List<String> languages = new ArrayList<>();

    @Option(names = "--language-threshold", defaultValue = "0.3",
            description = "Minimum language score (OpenNLP confidence, lower than fastText's: Japanese prose scores 0.45-0.9 as it shares Han characters with Chinese; default ${DEFAULT-VALUE}).")
    double languageThreshold;

    @Option(names = "--language-max-chars", defaultValue = "" + LanguageIdentifier.DEFAULT_MAX_CHARS,
            description = "Characters read by language ID (default ${DEFAULT-VALUE}).")
    int languageMaxChars;

    // Gopher repetition (Rae et al. 2021)
    @Option(names = "--dup-line-frac", defaultValue = "0.3", description = "Default ${DEFAULT-VALUE}.")
    double dupLineFrac;
    @Option(names = "--dup-para-frac", defaultValue = "0.3", description = "Default ${DEFAULT-VALUE}.")
    double dupParaFrac;
    @Option(names = "--dup-line-char-frac", defaultValue = "0.2", description = "Default ${DEFAULT-VALUE}.")
    double dupLineCharFrac;
    @Option(names = "--dup-para-char-frac", defaultValue = "0.2", description = "Default ${DEFAULT-VALUE}.")
    double dupParaCharFrac;
    @Option(names = "--top-ngram-fracs", defaultValue = "0.20,0.18,0.16", split = ",",
            description = "Top 2,3,4-gram character share limits (default ${DEFAULT-VALUE}).")
    double[] topNGramFracs;
    @Option(names = "--dup-ngram-fracs", defaultValue = "0.15,0.14,0.13,0.12,0.11,0.10", split = ",",
            description = "Duplicated 5..10-gram character share limits (default ${DEFAULT-VALUE}).")
    double[] dupNGramFracs;

    // Gopher quality
    @Option(names = "--gopher-min-doc-words", defaultValue = "50", description = "Default ${DEFAULT-VALUE}.")
    int gopherMinDocWords;
    @Option(names = "--gopher-max-doc-words", defaultValue = "100000", description = "Default ${DEFAULT-VALUE}.")
    int gopherMaxDocWords;
    @Option(names = "--gopher-min-avg-word-length", defaultValue = "3", description = "Default ${DEFAULT-VALUE}.")
    double gopherMinAvgWordLength;
    @Option(names = "--gopher-max-avg-word-length", defaultValue = "10", description = "Default ${DEFAULT-VALUE}.")
    double gopherMaxAvgWordLength;
    @Option(names = "--gopher-max-symbol-word-ratio", defaultValue = "0.1", description = "Default ${DEFAULT-VALUE}.")
    double gopherMaxSymbolWordRatio;
    @Option(names = "--gopher-max-bullet-lines-ratio", defaultValue = "0.9", description = "Default ${DEFAULT-VALUE}.")
    double gopherMaxBulletLinesRatio;
    @Option(names = "--gopher-max-ellipsis-lines-ratio", defaultValue = "0.3",
            description = "Default ${DEFAULT-VALUE}.")
    double gopherMaxEllipsisLinesRatio;
    @Option(names = "--gopher-min-alpha-words-ratio", defaultValue = "0.8",
            description = "Share of words with a letter, at least (default ${DEFAULT-VALUE}).")
    double gopherMinAlphaWordsRatio;
    @Option(names = "--gopher-min-stop-words", defaultValue = "2", description = "Default ${DEFAULT-VALUE}.")
    int gopherMinStopWords;

    // C4
    @Option(names = "--c4-filter-no-terminal-punct", defaultValue = "false",
            description = "Remove lines without terminal punctuation (C4: true; FineWeb: false; default ${DEFAULT-VALUE}).")
    boolean c4FilterNoTerminalPunct;
    @Option(names = "--c4-min-words-per-line", defaultValue = "3", description = "Default ${DEFAULT-VALUE}.")
    int c4MinWordsPerLine;
    @Option(names = "--c4-max-word-length", defaultValue = "1000", description = "Default ${DEFAULT-VALUE}.")
    int c4MaxWordLength;
    @Option(names = "--c4-min-sentences", defaultValue = "5", description = "Default ${DEFAULT-VALUE}.")
    int c4MinSentences;
    @Option(names = "--c4-filter-curly-bracket", defaultValue = "true", negatable = true, fallbackValue = "true",
            description = "Drop documents with '{' (default ${DEFAULT-VALUE}).")
    boolean c4FilterCurlyBracket;
    @Option(names = "--c4-filter-lorem-ipsum", defaultValue = "true", negatable = true, fallbackValue = "true",
            description = "Default ${DEFAULT-VALUE}.")
    boolean c4FilterLoremIpsum;

    // FineWeb
    @Option(names = "--fineweb-line-punct-thr", defaultValue = "0.12", description = "Default ${DEFAULT-VALUE}.")
    double finewebLinePunctThr;
    @Option(names = "--fineweb-short-line-thr", defaultValue = "0.67", description = "Default ${DEFAULT-VALUE}.")
    double finewebShortLineThr;
    @Option(names = "--fineweb-short-line-length", defaultValue = "30", description = "Default ${DEFAULT-VALUE}.")
    int finewebShortLineLength;
    @Option(names = "--fineweb-char-dup-ratio", defaultValue = "0.01", description = "Default ${DEFAULT-VALUE}.")
    double finewebCharDupRatio;
    @Option(names = "--fineweb-new-line-ratio", defaultValue = "0.3", description = "Default ${DEFAULT-VALUE}.")
    double finewebNewLineRatio;

    @Option(names = "--dedup-bands", defaultValue = "" + DedupConfig.DEFAULT_BANDS,
            description = "MinHash-LSH bands of the dedup step. Default ${DEFAULT-VALUE}.")
    int dedupBands;
    @Option(names = "--dedup-rows", defaultValue = "" + DedupConfig.DEFAULT_ROWS,
            description = "MinHash-LSH rows per band of the dedup step. Default ${DEFAULT-VALUE}.")
    int dedupRows;
    @Option(names = "--dedup-threshold", defaultValue = "" + DedupConfig.DEFAULT_THRESHOLD,
            description = "Jaccard similarity (exact check of candidate pairs) at which two documents are "
                    + "near-duplicates. Default ${DEFAULT-VALUE}.")
    double dedupThreshold;

    public static void main(String[] args) {
        Cli.main(new PreprocessJob(), args);
    }

    /** The recipe these options describe (all steps, or those named by {@code --steps}). */
    public Recipe recipe() {
        if (!extractMode.equals("main") && !extractMode.equals("full")) {
            throw new UsageException("--extract-mode must be main or full, not " + extractMode);
        }
        if (topNGramFracs.length != 3 || dupNGramFracs.length != 6) {
            throw new UsageException("--top-ngram-fracs needs 3 values and --dup-ngram-fracs 6");
        }
        PreprocessRecipes.Config c = new PreprocessRecipes.Config(
                new ExtractStep.Config(extractMode.equals("main"), maxReplacementRatio),
                new LanguageStep.Config(languages, languageThreshold, languageMaxChars),
                new GopherRepetitionFilter.Config(dupLineFrac, dupParaFrac, dupLineCharFrac, dupParaCharFrac,
                        topNGramFracs.clone(), dupNGramFracs.clone()),
                new GopherQualityFilter.Config(gopherMinDocWords, gopherMaxDocWords, gopherMinAvgWordLength,
                        gopherMaxAvgWordLength, gopherMaxSymbolWordRatio, gopherMaxBulletLinesRatio,
                        gopherMaxEllipsisLinesRatio, gopherMinAlphaWordsRatio, gopherMinStopWords),
                new C4QualityFilter.Config(c4FilterNoTerminalPunct, c4MinWordsPerLine, c4MaxWordLength,
                        c4MinSentences, c4FilterLoremIpsum, c4FilterCurlyBracket, true, true),
                new FineWebQualityFilter.Config(finewebLinePunctThr, finewebShortLineThr, finewebShortLineLength,
                        finewebCharDupRatio, finewebNewLineRatio, 1.0 / 3));
        Recipe r = PreprocessRecipes.fineweb(c)
                .then(new DedupStep(DedupConfig.defaults().withBands(dedupBands, dedupRows)
                        .withThreshold(dedupThreshold, true)));
        return steps == null || steps.isEmpty() ? r : r.only(steps);
    }

    @Override
    public Integer call() {
        Recipe recipe = recipe();
        SparkSession spark = Sessions.getOrCreate("preprocess");
        Storage storage = new Storage(spark.sparkContext().hadoopConfiguration());
        // checks before any work: inputs exist, output writable
        List<String> files = InputFiles.expand(storage, input, listingPrefix);
        storage.requireWritable(output);
        new PreprocessRunner(spark, storage, recipe, new ReadOptions(maxRecordBytes), output, partitions, overwrite)
                .run(input, files);
        return Cli.EXIT_OK;
    }
}
