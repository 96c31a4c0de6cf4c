package io.sparkgpt.trainer;

import io.sparkgpt.common.cli.UsageException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Turns {@code tokens/train} ({@code doc_id, n_tokens, tokens array<int>}) into one token stream per worker: an
 * RDD with exactly {@code workers} partitions, partition k holding worker k's stream as one {@code int[]}.
 *
 * <p>How: every document is cut into chunks of at most {@code chunkTokens} tokens; chunks are ordered by
 * (doc_id, chunk index) and dealt round-robin to the workers, each worker's chunks concatenated in that order.
 * So the shards are balanced to within one chunk even when the corpus is one huge document, and they depend only
 * on the data (not on the Parquet file layout or on which executor computes them): a lost cached shard is
 * recomputed identically from its lineage when an executor dies.
 */
public final class TokenShards {
    private TokenShards() {}

    /** A piece of one document (a plain class, not a record: Kryo shuffles it). */
    static final class Chunk implements Serializable {
        String docId;
        int index;
        int[] tokens;

        Chunk() {}

        Chunk(String docId, int index, int[] tokens) {
            this.docId = docId;
            this.index = index;
            this.tokens = tokens;
        }

        int[] tokens() {
            return tokens;
        }

        String sortKey() {
            return docId + '\u0000' + String.format("%010d", index);
        }
    }

    public static JavaRDD<int[]> build(SparkSession spark, String trainDir, int workers, int chunkTokens) {
        return build(spark.read().parquet(trainDir).select("doc_id", "tokens"), workers, chunkTokens);
    }

    /** The shards of documents (doc_id, tokens) from any source (e.g. {@link EarlierTokens#mix}). */
    public static JavaRDD<int[]> build(Dataset<Row> df, int workers, int chunkTokens) {
        JavaRDD<Chunk> chunks = df.javaRDD().flatMap(row -> chunksOf(row, chunkTokens).iterator());
        JavaPairRDD<Integer, Tuple2<Long, int[]>> dealt = chunks
                .sortBy(Chunk::sortKey, true, Math.max(1, chunks.getNumPartitions()))
                .zipWithIndex()
                .mapToPair(t -> new Tuple2<>((int) (t._2() % workers), new Tuple2<>(t._2(), t._1().tokens())));
        // HashPartitioner puts Integer key k (0 <= k < workers) into partition k.
        JavaRDD<int[]> shards = dealt.partitionBy(new HashPartitioner(workers))
                .mapPartitions(TokenShards::concatenate, true);
        return shards.persist(StorageLevel.MEMORY_AND_DISK());
    }

    static List<Chunk> chunksOf(Row row, int chunkTokens) {
        String id = row.getString(0);
        List<Integer> list = row.isNullAt(1) ? List.of() : row.getList(1);
        List<Chunk> out = new ArrayList<>();
        int n = list.size();
        for (int start = 0, idx = 0; start < n; start += chunkTokens, idx++) {
            int len = Math.min(chunkTokens, n - start);
            int[] t = new int[len];
            for (int i = 0; i < len; i++) {
                Integer v = list.get(start + i);
                if (v == null) {
                    throw new IllegalStateException("document " + id + ": null token at position " + (start + i));
                }
                t[i] = v;
            }
            out.add(new Chunk(id, idx, t));
        }
        return out;
    }

    private static Iterator<int[]> concatenate(Iterator<Tuple2<Integer, Tuple2<Long, int[]>>> it) {
        List<Tuple2<Long, int[]>> parts = new ArrayList<>();
        long total = 0;
        while (it.hasNext()) {
            Tuple2<Long, int[]> p = it.next()._2();
            parts.add(p);
            total += p._2().length;
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("a worker's shard would hold " + total
                    + " tokens, more than one int[] can: use more --workers");
        }
        parts.sort((a, b) -> Long.compare(a._1(), b._1()));
        int[] out = new int[(int) total];
        int pos = 0;
        for (Tuple2<Long, int[]> p : parts) {
            System.arraycopy(p._2(), 0, out, pos, p._2().length);
            pos += p._2().length;
        }
        return List.of(out).iterator();
    }

    /** Checks every shard can give a window of {@code window} tokens; returns the shard sizes and max token id. */
    public static long[] describe(JavaRDD<int[]> shards, int window, int workers) {
        List<long[]> stats = shards.mapPartitionsWithIndex((k, it) -> {
            int[] s = it.hasNext() ? it.next() : new int[0];
            int max = -1;
            for (int v : s) {
                if (v < 0) {
                    throw new IllegalStateException("negative token id " + v + " in shard " + k);
                }
                max = Math.max(max, v);
            }
            return List.of(new long[] {k, s.length, max}).iterator();
        }, true).collect();
        long[] out = new long[workers + 1];
        long maxId = -1;
        for (long[] s : stats) {
            out[(int) s[0]] = s[1];
            maxId = Math.max(maxId, s[2]);
            if (s[1] < window) {
                throw new UsageException("worker " + s[0] + " gets only " + s[1] + " training tokens, fewer than one "
                        + "window of " + window + ": use fewer --workers or a smaller --block-size");
            }
        }
        out[workers] = maxId;
        return out;
    }

    /** The validation tokens in doc_id order, concatenated on the driver, at most {@code maxTokens}. */
    public static int[] readValidation(SparkSession spark, String valDir, int maxTokens) {
        Iterator<Row> rows = spark.read().parquet(valDir).select("doc_id", "tokens").orderBy("doc_id")
                .toLocalIterator();
        int[] buf = new int[Math.min(maxTokens, 1 << 16)];
        int n = 0;
        while (rows.hasNext() && n < maxTokens) {
            Row r = rows.next();
            if (r.isNullAt(1)) {
                continue;
            }
            List<Integer> t = r.getList(1);
            for (int i = 0; i < t.size() && n < maxTokens; i++) {
                if (n == buf.length) {
                    buf = java.util.Arrays.copyOf(buf, (int) Math.min((long) maxTokens, 2L * buf.length));
                }
                buf[n++] = t.get(i);
            }
        }
        return java.util.Arrays.copyOf(buf, n);
    }
}
