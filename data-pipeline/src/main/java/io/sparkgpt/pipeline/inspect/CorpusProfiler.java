package io.sparkgpt.pipeline.inspect;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.stats.CorpusProfile;
import io.sparkgpt.common.stats.CorpusProfile.Bin;
import io.sparkgpt.common.stats.CorpusProfile.Signal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;

/**
 * Profiles a documents folder ({@code inspect --profile}): histograms of text length (characters, words) and of
 * each quality signal, and documents per language, in Spark aggregations; only bin counts reach the driver. The
 * bins are fixed (the rules are on {@link CorpusProfile}), so profiles of two corpora compare bin by bin.
 */
public final class CorpusProfiler {
    static final String LANGUAGE_SCORE = "language_score";

    /** Length bin index: 0 for 0, k + 1 for [2^k, 2^(k+1)). */
    static int lengthBin(long n) {
        return n <= 0 ? 0 : 64 - Long.numberOfLeadingZeros(n);
    }

    static Bin lengthBounds(int bin, long count) {
        return bin == 0 ? new Bin(0.0, 1, count) : new Bin((double) (1L << (bin - 1)), 1L << bin, count);
    }

    /** Signal bin index: -1 below 0; 0..9 for tenths of [0,1] (1.0 in 9); 10 + k for [2^k, 2^(k+1)) above 1. */
    static int signalBin(double v) {
        if (v < 0) {
            return -1;
        }
        if (v <= 1) {
            return Math.min((int) Math.floor(v * 10), 9);
        }
        return 10 + Math.getExponent(v); // exact floor(log2 v) for a normal double
    }

    static Bin signalBounds(int bin, long count) {
        if (bin < 0) {
            return new Bin(null, 0, count);
        }
        if (bin < 10) {
            return new Bin(bin / 10.0, (bin + 1) / 10.0, count);
        }
        return new Bin(Math.scalb(1.0, bin - 10), Math.scalb(1.0, bin - 9), count);
    }

    /** Words: maximal runs of non-whitespace characters. */
    static int words(String text) {
        if (text == null) {
            return 0;
        }
        int n = 0;
        boolean in = false;
        for (int i = 0; i < text.length(); i++) {
            boolean ws = Character.isWhitespace(text.charAt(i));
            if (!ws && !in) {
                n++;
            }
            in = !ws;
        }
        return n;
    }

    public CorpusProfile profile(String input, Dataset<Row> documents) {
        List<String> columns = List.of(documents.columns());
        if (!columns.contains("text")) {
            throw new UsageException("input " + input + " has no 'text' column (not a documents folder?); columns: "
                    + columns);
        }
        UserDefinedFunction charsBin = udf((UDF1<String, Integer>) t ->
                lengthBin(t == null ? 0 : t.codePointCount(0, t.length())), DataTypes.IntegerType);
        UserDefinedFunction wordsBin = udf((UDF1<String, Integer>) t -> lengthBin(words(t)),
                DataTypes.IntegerType);
        Dataset<Row> lengths = documents.select(charsBin.apply(col("text")).as("c"),
                wordsBin.apply(col("text")).as("w"));
        long docs = 0;
        Map<Integer, Long> chars = new TreeMap<>();
        Map<Integer, Long> words = new TreeMap<>();
        // one pass over the text: at most 64 x 64 (chars bin, words bin) pairs reach the driver
        for (Row r : lengths.groupBy("c", "w").count().collectAsList()) {
            chars.merge(r.getInt(0), r.getLong(2), Long::sum);
            words.merge(r.getInt(1), r.getLong(2), Long::sum);
            docs += r.getLong(2);
        }

        Map<String, Signal> signals = new LinkedHashMap<>();
        Dataset<Row> values = null;
        if (columns.contains("signals")) {
            values = documents.select(explode(col("signals")).as(new String[] {"k", "v"}));
        }
        if (columns.contains(LANGUAGE_SCORE)) {
            Dataset<Row> ls = documents.where(col(LANGUAGE_SCORE).isNotNull())
                    .select(lit(LANGUAGE_SCORE).as("k"), col(LANGUAGE_SCORE).cast("double").as("v"));
            values = values == null ? ls : values.unionByName(ls);
        }
        if (values != null) {
            UserDefinedFunction bin = udf((UDF1<Double, Integer>) v -> signalBin(v), DataTypes.IntegerType);
            Dataset<Row> binned = values.where(col("v").isNotNull()).select(col("k"),
                    when(isnan(col("v")), lit(null)).otherwise(bin.apply(col("v"))).as("b"));
            Map<String, long[]> totals = new HashMap<>();
            for (Row r : binned.groupBy("k").agg(count(lit(1)), sum(when(col("b").isNull(), 1).otherwise(0)))
                    .collectAsList()) {
                totals.put(r.getString(0), new long[] {r.getLong(1), r.getLong(2)});
            }
            Map<String, Map<Integer, Long>> hist = new TreeMap<>();
            for (Row r : binned.where(not(col("b").isNull())).groupBy("k", "b").count().collectAsList()) {
                hist.computeIfAbsent(r.getString(0), k -> new TreeMap<>()).put(r.getInt(1), r.getLong(2));
            }
            for (Map.Entry<String, long[]> e : new TreeMap<>(totals).entrySet()) {
                List<Bin> bins = new ArrayList<>();
                hist.getOrDefault(e.getKey(), Map.of()).forEach((b, n) -> bins.add(signalBounds(b, n)));
                signals.put(e.getKey(), new Signal(e.getValue()[0], e.getValue()[1], bins));
            }
        }

        Map<String, Long> languages = new TreeMap<>();
        if (columns.contains("language")) {
            for (Row r : documents.groupBy(coalesce(col("language"), lit("none"))).count().collectAsList()) {
                languages.merge(r.getString(0), r.getLong(1), Long::sum);
            }
        }
        List<Bin> charBins = new ArrayList<>();
        chars.forEach((b, n) -> charBins.add(lengthBounds(b, n)));
        List<Bin> wordBins = new ArrayList<>();
        words.forEach((b, n) -> wordBins.add(lengthBounds(b, n)));
        return new CorpusProfile(input, docs, charBins, wordBins, signals, languages);
    }
}
