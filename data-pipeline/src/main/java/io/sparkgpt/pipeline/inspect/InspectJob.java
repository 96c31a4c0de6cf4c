package io.sparkgpt.pipeline.inspect;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.common.stats.CorpusProfile;
import io.sparkgpt.spark.Sessions;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import scala.Tuple2;

/**
 * {@code inspect}: prints the schema, row count, size on disk and first rows of any Parquet output of this project,
 * and the {@code stats.json} beside it (in the folder, else in its parent: a job's stats sit beside its steps).
 *
 * <pre>
 * deploy/spark-submit/inspect.sh -- --input out/documents --rows 3 --truncate
 * deploy/spark-submit/inspect.sh -- --input out/documents --rows 0 --profile out/profile.json
 * </pre>
 */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Prints schema, row count, size, the first rows and stats.json of a Parquet folder; "
                + "with --profile, writes a documents folder's length, signal and language histograms as JSON.")
public final class InspectJob implements Callable<Integer> {

    @Option(names = "--input", required = true, description = "Parquet folder (or file): a path or s3a://bucket/...")
    String input;

    @Option(names = "--rows", defaultValue = "5", description = "rows to show (default: ${DEFAULT-VALUE})")
    int rows;

    @Option(names = "--truncate", arity = "0..1", defaultValue = "0", fallbackValue = "80", paramLabel = "N",
            description = "cut strings longer than N characters and arrays longer than N items "
                    + "(N = ${FALLBACK-VALUE} when the flag is given alone; default: values whole)")
    int truncate;

    @Option(names = "--report", description = "also write the report to this file (path or s3a://); in cluster "
            + "deploy mode the driver's stdout stays on the worker that ran it")
    String report;

    @Option(names = "--profile", description = "also write a JSON profile of a documents folder to this file (path "
            + "or s3a://): histograms of text length and of each quality signal, documents per language "
            + "(bins: see CorpusProfile)")
    String profile;

    public static void main(String[] args) {
        Cli.main(new InspectJob(), args);
    }

    @Override
    public Integer call() {
        if (rows < 0) {
            throw new UsageException("--rows must be >= 0, got " + rows);
        }
        if (truncate < 0) {
            throw new UsageException("--truncate must be >= 0, got " + truncate);
        }
        // the usage checks run before Spark starts: the Hadoop settings (spark.hadoop.*, s3a) come from SparkConf
        Storage precheck = new Storage(hadoopConf(new SparkConf(true)));
        precheck.requireExists("input", input);
        for (String out : new String[] {report, profile}) {
            Path parent = out == null ? null : new Path(out).getParent();
            if (parent != null) {
                precheck.requireWritable(parent.toString());
            }
        }

        SparkSession spark = Sessions.getOrCreate("inspect");
        InspectReport r = new ParquetInspector(spark).inspect(input, rows, truncate);
        String text = r.render();
        System.out.print(text);
        System.out.flush();
        if (report != null) {
            new Storage(spark.sparkContext().hadoopConfiguration()).writeString(report, text);
        }
        if (profile != null) {
            CorpusProfile p = new CorpusProfiler().profile(input,
                    spark.read().option("pathGlobFilter", "*.parquet").parquet(input));
            new Storage(spark.sparkContext().hadoopConfiguration()).writeString(profile, Json.write(p));
            System.err.println("inspect: profile of " + p.documents() + " documents written to " + profile);
        }
        return Cli.EXIT_OK;
    }

    /** The Hadoop configuration Spark would build: defaults plus every {@code spark.hadoop.*} setting. */
    static Configuration hadoopConf(SparkConf conf) {
        Configuration hc = new Configuration();
        for (Tuple2<String, String> kv : conf.getAll()) {
            if (kv._1().startsWith("spark.hadoop.")) {
                hc.set(kv._1().substring("spark.hadoop.".length()), kv._2());
            }
        }
        hc.setIfUnset("fs.s3a.impl", "org.apache.hadoop.fs.s3a.S3AFileSystem");
        return hc;
    }
}
