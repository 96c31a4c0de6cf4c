package io.sparkgpt.trainer;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.xxhash64;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Continued pretraining's replay of earlier corpora ({@code --mix-earlier}): the new training documents plus a
 * sample of the documents of earlier token folders, sized so that the earlier ones make up about {@code fraction}
 * of the tokens. The sample is chosen by a hash of doc_id, not by Spark's sampler, so a resumed run deals the same
 * shards whatever the partitioning.
 */
public final class EarlierTokens {
    /** Hash buckets of the doc_id sample: the share is kept to one part in a million. */
    private static final long BUCKETS = 1_000_000L;

    /** The rows to train on (doc_id, tokens) and what went into them. */
    public record Mixed(Dataset<Row> rows, Map<String, Object> summary) {}

    private EarlierTokens() {}

    /**
     * {@code train}'s (doc_id, tokens), with earlier documents mixed in when {@code fraction > 0}: from the token
     * folders listed in the file {@code listFile}, one a line (an empty list: nothing to mix).
     */
    public static Mixed mix(SparkSession spark, Storage storage, String train, double fraction, String listFile,
                            long seed) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new UsageException("--mix-earlier must be in [0, 1), got " + fraction);
        }
        Dataset<Row> fresh = spark.read().parquet(train).select("doc_id", "tokens");
        if (fraction == 0) {
            return new Mixed(fresh, Map.of());
        }
        if (listFile == null) {
            throw new UsageException("--mix-earlier needs --earlier <file listing earlier token folders>");
        }
        List<String> folders = folders(storage, listFile);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("fraction", fraction);
        summary.put("folders", folders);
        long newTokens = tokens(fresh);
        summary.put("new_tokens", newTokens);
        if (folders.isEmpty()) {
            System.out.printf("pretrain: --mix-earlier %s: %s lists no earlier token folder; new tokens only%n",
                    fraction, listFile);
            summary.put("earlier_tokens", 0L);
            return new Mixed(fresh, summary);
        }
        Dataset<Row> earlier = spark.read().parquet(folders.toArray(String[]::new)).select("doc_id", "tokens");
        long available = tokens(earlier);
        long wanted = Math.round(newTokens * fraction / (1 - fraction));
        double share = available == 0 ? 0 : Math.min(1.0, (double) wanted / available);
        Dataset<Row> picked = earlier.where(pmod(xxhash64(col("doc_id"), lit(seed)), lit(BUCKETS))
                .lt(lit((long) Math.ceil(share * BUCKETS))));
        long earlierTokens = tokens(picked);
        summary.put("earlier_tokens_available", available);
        summary.put("earlier_tokens", earlierTokens);
        System.out.printf("pretrain: --mix-earlier %s: %,d of %,d earlier tokens from %d folders beside %,d new%n",
                fraction, earlierTokens, available, folders.size(), newTokens);
        return new Mixed(fresh.unionByName(picked), summary);
    }

    /** The folders listed in {@code listFile}, one a line; each must exist. */
    static List<String> folders(Storage storage, String listFile) {
        storage.requireExists("--earlier list of token folders", listFile);
        List<String> folders = storage.readString(listFile).lines().map(String::strip)
                .filter(l -> !l.isEmpty()).toList();
        for (String f : folders) {
            if (!storage.exists(f)) {
                throw new UsageException("--earlier " + listFile + " lists " + f + ", which does not exist");
            }
        }
        return folders;
    }

    private static long tokens(Dataset<Row> rows) {
        Row r = rows.agg(sum(size(col("tokens")))).first();
        return r.isNullAt(0) ? 0 : r.getLong(0);
    }
}
