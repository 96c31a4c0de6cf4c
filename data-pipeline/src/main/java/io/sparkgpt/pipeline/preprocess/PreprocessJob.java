package io.sparkgpt.pipeline.preprocess;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.pipeline.preprocess.options.C4Options;
import io.sparkgpt.pipeline.preprocess.options.DedupOptions;
import io.sparkgpt.pipeline.preprocess.options.ExtractOptions;
import io.sparkgpt.pipeline.preprocess.options.FineWebOptions;
import io.sparkgpt.pipeline.preprocess.options.GopherQualityOptions;
import io.sparkgpt.pipeline.preprocess.options.GopherRepetitionOptions;
import io.sparkgpt.pipeline.preprocess.options.LanguageOptions;
import io.sparkgpt.pipeline.read.InputFiles;
import io.sparkgpt.pipeline.read.ReadOptions;
import io.sparkgpt.pipeline.step.Recipe;
import io.sparkgpt.spark.Sessions;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code preprocess}: raw crawl files (WARC, WET, text, JSONL) to clean, language-tagged, quality-filtered
 * {@code documents} in Parquet, with {@code excluded/<step>}, {@code errors}, {@code stats.json} and
 * {@code _SUCCESS}. The steps are {@link PreprocessRecipes#fineweb}; every threshold is an option (one mixin per
 * step's config) whose default is its config's {@code defaults()}, the published value.
 */
@Command(name = "preprocess", mixinStandardHelpOptions = true, sortOptions = false,
        description = "WARC/WET/text/JSONL -> documents (Parquet): select, extract, language, gopher_repetition, "
                + "gopher_quality, c4, fineweb, pii, dedup.")
public final class PreprocessJob implements Callable<Integer> {
    @Option(names = "--input", arity = "1..*", required = true, paramLabel = "PATH",
            description = "Input files, folders, globs, or *.paths(.gz) listings; local or s3a://.")
    List<String> input;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Output folder (local or s3a://).")
    String output;

    @Option(names = "--steps", split = ",", paramLabel = "STEP",
            description = "Steps to run, comma-separated, select and extract among them (default: all): select,"
                    + "extract,language,gopher_repetition,gopher_quality,c4,fineweb,pii,dedup.")
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

    // one mixin per step's config; each option's default is read from the config's defaults()
    @Mixin
    ExtractOptions extract = new ExtractOptions();
    @Mixin
    LanguageOptions language = new LanguageOptions();
    @Mixin
    GopherRepetitionOptions gopherRepetition = new GopherRepetitionOptions();
    @Mixin
    GopherQualityOptions gopherQuality = new GopherQualityOptions();
    @Mixin
    C4Options c4 = new C4Options();
    @Mixin
    FineWebOptions fineweb = new FineWebOptions();
    @Mixin
    DedupOptions dedup = new DedupOptions();

    public static void main(String[] args) {
        Cli.main(new PreprocessJob(), args);
    }

    /** Every step's configuration, as the options give it. */
    public PreprocessRecipes.Config config() {
        return new PreprocessRecipes.Config(extract.config(), language.config(), gopherRepetition.config(),
                gopherQuality.config(), c4.config(), fineweb.config(), dedup.config());
    }

    /** The recipe these options describe (all steps, or those named by {@code --steps}). */
    public Recipe recipe() {
        Recipe r = PreprocessRecipes.fineweb(config());
        if (steps == null || steps.isEmpty()) {
            return r;
        }
        Recipe chosen = r.only(steps);
        // select and extract turn a record into a document with text: no step does it behind the recipe's back
        if (!chosen.has("select") || !chosen.has("extract")) {
            throw new UsageException("--steps must include select and extract (they turn records into documents "
                    + "with text; --extract-mode full keeps a page's whole visible text), got " + String.join(",",
                    steps));
        }
        return chosen;
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
