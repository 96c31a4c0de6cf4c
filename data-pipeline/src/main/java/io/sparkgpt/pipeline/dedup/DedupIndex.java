package io.sparkgpt.pipeline.dedup;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.xxhash64;

import io.sparkgpt.common.io.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;

/**
 * The incremental dedup's index of every earlier corpus: one Parquet folder per generation,
 * {@code <index>/gen-NNNNNN} (written through {@code StepOutput}, so only folders with {@code _SUCCESS} count), one
 * row per document of that corpus: {@code id}, {@code uid} (xxhash64 of the id), {@code generation}, {@code url},
 * {@code fetch_time}, {@code chash} (normalised-content hash), {@code reason} (its dedup decision, null: kept),
 * and for the documents that took part in the fuzzy stage (kept or near_duplicate) {@code bands} (LSH keys) and
 * {@code shingles} (the shingle hashes the Jaccard check needs). Everything a later corpus is checked against, so
 * the earlier corpora's text is never read again; the index grows by one folder per corpus.
 */
public final class DedupIndex {
    public static final String GENERATION = "generation";
    private static final Pattern GEN = Pattern.compile("gen-(\\d{6})");

    private DedupIndex() {}

    public static String folder(String index, int generation) {
        return Storage.child(index, String.format("gen-%06d", generation));
    }

    /** The complete generations below {@code below}, unioned; null when there are none. */
    public static Dataset<Row> read(SparkSession spark, Storage storage, String index, int below) {
        List<String> dirs = new ArrayList<>();
        if (storage.exists(index)) {
            try {
                FileSystem fs = storage.fs(index);
                for (FileStatus st : fs.listStatus(new Path(Storage.uri(index)))) {
                    Matcher m = GEN.matcher(st.getPath().getName());
                    if (st.isDirectory() && m.matches() && Integer.parseInt(m.group(1)) < below
                            && storage.isComplete(st.getPath().toString())) {
                        dirs.add(st.getPath().toString());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list the dedup index " + index, e);
            }
        }
        if (dirs.isEmpty()) {
            return null;
        }
        return spark.read().parquet(dirs.toArray(new String[0]));
    }

    /**
     * The index rows a new corpus' narrow table must meet, in its columns: those sharing a url, a content hash or
     * an LSH key with it. Only the index is read (narrow columns), never the earlier text.
     */
    static Dataset<Row> relevant(Dataset<Row> index, Dataset<Row> meta, boolean fuzzy) {
        Dataset<Row> idx = index.select(col("id"), col("uid"), col(GENERATION), col("url"), col("fetch_time"),
                col("chash"), col("reason"), col("bands"));
        Dataset<Row> urls = meta.where(col("url").isNotNull()).select(col("url").as("k_url")).distinct();
        Dataset<Row> hashes = meta.where(col("chash").isNotNull()).select(col("chash").as("k_hash")).distinct();
        Dataset<Row> sel = idx.join(urls, col("url").equalTo(col("k_url")), "left_semi")
                .unionByName(idx.join(hashes, col("chash").equalTo(col("k_hash")), "left_semi"));
        if (fuzzy) {
            Dataset<Row> keys = meta.where(col("bands").isNotNull()).select(explode(col("bands")).as("k_key"))
                    .distinct();
            Dataset<Row> ids = idx.where(col("bands").isNotNull())
                    .select(col("id").as("b_id"), explode(col("bands")).as("i_key"))
                    .join(keys, col("i_key").equalTo(col("k_key")), "left_semi")
                    .select("b_id").distinct();
            sel = sel.unionByName(idx.join(ids, col("id").equalTo(col("b_id")), "left_semi"));
        }
        return sel.dropDuplicates("id").select(col("id"), col("url"), col("fetch_time"), col("uid"),
                lit(0L).as("bytes"), col("chash"), col("bands"), col(GENERATION).cast("int").as(GENERATION),
                lit(true).as("frozen"), col("reason").as("stored_reason"));
    }

    /** (fid, f): the stored shingle hashes of the index rows that took part in the fuzzy stage. */
    static Dataset<Row> shingles(Dataset<Row> index) {
        return index.where(col("shingles").isNotNull()).select(col("uid").as("fid"), col("shingles").as("f"));
    }

    /**
     * This corpus' index rows: every input document but those {@code seen_before}, with its decision from the
     * written {@code excluded} rows; band keys and shingles for those that took part in the fuzzy stage.
     */
    public static Dataset<Row> rows(Dataset<Row> documents, Dataset<Row> excluded, DedupConfig config,
                                    int generation) {
        Shingler shingler = new Shingler(config.ngram(), config.charNgram());
        MinHasher hasher = new MinHasher(config.bands(), config.rows(), config.seed());
        boolean fuzzy = config.fuzzy();
        UserDefinedFunction sh = udf((UDF3<String, String, String, long[]>) (text, lang, reason) ->
                        fuzzy && (reason == null || Deduplicator.NEAR_DUPLICATE.equals(reason))
                                ? shingler.shingles(text, lang) : null,
                DataTypes.createArrayType(DataTypes.LongType));
        UserDefinedFunction bands = udf((UDF1<scala.collection.Seq<Long>, long[]>) s -> {
            if (s == null) {
                return null;
            }
            long[] x = new long[s.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = s.apply(i);
            }
            return hasher.bandKeys(hasher.signature(x));
        }, DataTypes.createArrayType(DataTypes.LongType));
        UserDefinedFunction chash = udf((UDF1<String, String>) Deduplicator::contentHash, DataTypes.StringType);
        Dataset<Row> reasons = excluded.select(col("id").as("x_id"), col("reason").as("x_reason"));
        return documents.join(reasons, col("id").equalTo(col("x_id")), "left")
                .where(col("x_reason").isNull().or(col("x_reason").notEqual(Deduplicator.SEEN_BEFORE)))
                .select(col("id"), xxhash64(col("id")).as("uid"), lit(generation).as(GENERATION), col("url"),
                        col("fetch_time"), chash.apply(col("text")).as("chash"), col("x_reason").as("reason"),
                        sh.apply(col("text"), col("language"), col("x_reason")).as("shingles"))
                .withColumn("bands", bands.apply(col("shingles")))
                .select("id", "uid", GENERATION, "url", "fetch_time", "chash", "reason", "bands", "shingles");
    }
}
