package io.sparkgpt.pipeline.dedup;

import static org.apache.spark.sql.functions.array_intersect;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.octet_length;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.sparkgpt.common.stats.StepStats;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import scala.Tuple2;

/**
 * The dedup step: exact URL dedup, exact content dedup, then MinHash-LSH near-duplicate dedup with distributed
 * connected components. Each stage runs on the survivors of the one before.
 *
 * <ul>
 *   <li>exact_url: of the documents sharing a (non-null) {@code url}, the latest {@code fetch_time} is kept, ties
 *       broken by the smallest {@code id}.</li>
 *   <li>exact_content: documents whose normalised text (NFKC, lower case, letters/digits only, single spaces) has
 *       the same SHA-256 are copies; the smallest {@code id} is kept.</li>
 *   <li>near_duplicate: MinHash over shingles ({@link Shingler}), LSH banding, a Jaccard check of every candidate
 *       pair against the threshold ({@link DedupConfig}), connected components of the pairs that pass
 *       ({@link ConnectedComponents}); each component keeps one document: the one whose id has the smallest
 *       {@code xxhash64(id)} (Spark's, seed 42): an arbitrary but fixed choice that depends on the ids only, so
 *       the same input gives the same kept set for any partitioning and input order.</li>
 * </ul>
 * Work is done on a narrow table (id, hashes, band keys); the wide documents are joined once at the end, and text
 * is only re-read for the documents that are candidates of a pair.
 */
public final class Deduplicator {
    public static final String STEP = "dedup";
    public static final String EXACT_URL = "exact_url";
    public static final String EXACT_CONTENT = "exact_content";
    public static final String NEAR_DUPLICATE = "near_duplicate";
    /** Incremental dedup: a document whose id is already in the index (the same record of a crawl fed again). */
    public static final String SEEN_BEFORE = "seen_before";

    /** Removed rows (~200 bytes each) up to which the final join broadcasts them: ~20 MB. */
    static final long BROADCAST_REMOVED_ROWS = 100_000;

    private final DedupConfig config;

    public Deduplicator(DedupConfig config) {
        this.config = config;
    }

    public DedupConfig config() {
        return config;
    }

    /** Full dedup of one corpus. */
    public DedupResult apply(Dataset<Row> documents) {
        return run(documents, null, 0);
    }

    /**
     * Incremental dedup: the new {@code documents} against the {@link DedupIndex} of every earlier corpus (null:
     * none yet), without their text. Earlier corpora win every tie (they are already trained on, and their
     * decisions are never revised): a new document is dropped when its url, its normalised text or a near duplicate
     * occurs in an earlier corpus, or loses to another new document as in {@link #apply}. The new documents kept are
     * exactly those that {@link #apply} keeps over all corpora at once when each carries its {@code generation}
     * (earlier first; {@code DedupIncrementalTest}). A document whose id is already in the index (the same record
     * fed again) is dropped as {@code seen_before}.
     */
    public DedupResult applyIncremental(Dataset<Row> documents, Dataset<Row> index, int generation) {
        return run(documents, index, generation);
    }

    private DedupResult run(Dataset<Row> input, Dataset<Row> index, int generation) {
        long t0 = System.nanoTime();
        for (String c : new String[] {"id", "url", "fetch_time", "language", "text"}) {
            if (!List.of(input.columns()).contains(c)) {
                throw new IllegalArgumentException("dedup input lacks the documents column '" + c + "'; has "
                        + List.of(input.columns()));
            }
        }
        Shingler shingler = new Shingler(config.ngram(), config.charNgram());
        MinHasher hasher = new MinHasher(config.bands(), config.rows(), config.seed());
        boolean fuzzy = config.fuzzy();
        // with an index or a generation column, earlier generations win ties; without, every row is generation 0
        boolean prioritised = index != null || List.of(input.columns()).contains(DedupIndex.GENERATION);

        Map<String, Long> byReason = new HashMap<>();
        Dataset<Row> documents = input;
        Dataset<Row> seen = null;
        long seenCount = 0;
        if (index != null) {
            Dataset<Row> indexIds = index.select(col("id").as("seen_id"));
            seen = ConnectedComponents.checkpoint(input.join(indexIds, col("id").equalTo(col("seen_id")),
                    "left_semi").select(col("id"), octet_length(col("text")).cast("long").as("bytes")));
            seenCount = seen.count();
            if (seenCount > 0) {
                documents = input.join(indexIds, col("id").equalTo(col("seen_id")), "left_anti");
            }
            byReason.put(SEEN_BEFORE, seenCount);
        }

        Dataset<Row> meta = prepare(documents, generation, shingler, hasher);
        if (index != null) {
            meta = meta.unionByName(DedupIndex.relevant(index, meta, fuzzy));
        }
        Dataset<Row> decided = ConnectedComponents.checkpoint(exactStages(meta));
        long tStage = System.nanoTime();

        // one pass over the new rows of the narrow table: the exact stages' counts and bytes by reason (null:
        // alive), and the check that ids are unique and their 64-bit hashes are too
        long docsIn = 0;
        long bytesIn = 0;
        long repeatedIds = 0;
        long sharedHashes = 0;
        long removedBytes = 0;
        for (Row r : decided.where(not(col("frozen")))
                .groupBy("uid").agg(count(lit(1)).as("n"), min("id").as("a"), max("id").as("b"),
                        sum("bytes").as("bytes"), org.apache.spark.sql.functions.first("reason").as("reason"))
                .groupBy("reason")
                .agg(sum("n"), sum("bytes"),
                        sum(when(col("n").gt(1).and(col("a").equalTo(col("b"))), col("n").minus(1))
                                .otherwise(0)),
                        sum(when(col("n").gt(1).and(col("a").notEqual(col("b"))), 1).otherwise(0)))
                .collectAsList()) {
            long n = r.isNullAt(1) ? 0 : r.getLong(1);
            long bytes = r.isNullAt(2) ? 0 : r.getLong(2);
            docsIn += n;
            bytesIn += bytes;
            repeatedIds += r.isNullAt(3) ? 0 : r.getLong(3);
            sharedHashes += r.isNullAt(4) ? 0 : r.getLong(4);
            if (!r.isNullAt(0)) {
                byReason.put(r.getString(0), n);
                removedBytes += bytes;
            }
        }
        if (repeatedIds > 0) {
            throw new IllegalArgumentException("dedup input has " + repeatedIds
                    + " rows whose id repeats an earlier row's: document ids must be unique");
        }
        if (sharedHashes > 0) {
            // 64-bit hashes of distinct ids collide with probability ~n^2/2^65: ~3e-8 for a million documents
            throw new IllegalStateException("dedup: " + sharedHashes + " groups of distinct document ids "
                    + "share an xxhash64; cannot key the graph by it");
        }

        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("ms_prepare", (tStage - t0) / 1_000_000);
        // removals: (id, reason, duplicate_of, similarity, bytes); an earlier corpus' row is never removed
        Dataset<Row> removed = decided.where(col("reason").isNotNull().and(not(col("frozen"))))
                .select(col("id"), col("reason"), col("duplicate_of"), col("similarity"), col("bytes"));
        Dataset<Row> alive = decided.where(col("reason").isNull());

        tStage = System.nanoTime();
        Map<String, Long> clusterSizes = new LinkedHashMap<>();
        if (fuzzy) {
            Dataset<Row> candidates = ConnectedComponents.checkpoint(candidatePairs(alive));
            long candidatePairs = candidates.count();
            counters.put("candidate_pairs", candidatePairs);
            Dataset<Row> edges = null;
            long verifiedPairs = 0;
            if (candidatePairs > 0) {
                // not re-shingled: nothing to verify or cluster (skips the text re-read and connected components)
                edges = ConnectedComponents.checkpoint(verifiedPairs(candidates, documents, index, shingler,
                        hasher));
                verifiedPairs = edges.count();
            }
            counters.put("verified_pairs", verifiedPairs);
            if (verifiedPairs > 0) {
                Dataset<Row> near = ConnectedComponents.checkpoint(
                        clusters(edges, alive, prioritised, counters, clusterSizes));
                // read three times (counts, excluded and documents writes): cut the clustering's lineage once
                Row c = near.agg(count(lit(1)), sum("bytes")).first();
                byReason.put(NEAR_DUPLICATE, c.getLong(0));
                removedBytes += c.isNullAt(1) ? 0 : c.getLong(1);
                removed = removed.unionByName(near);
            } else {
                counters.put("cc_rounds", 0L);
                counters.put("clusters", 0L);
                counters.put("largest_cluster", 0L);
            }
        }
        counters.put("ms_fuzzy", (System.nanoTime() - tStage) / 1_000_000);
        if (seen != null && seenCount > 0) {
            removed = removed.unionByName(seen.select(col("id"), lit(SEEN_BEFORE).as("reason"),
                    col("id").as("duplicate_of"), lit(1.0).as("similarity"), col("bytes")));
            Row sb = seen.agg(sum("bytes")).first();
            long seenBytes = sb.isNullAt(0) ? 0 : sb.getLong(0);
            docsIn += seenCount;
            bytesIn += seenBytes;
            removedBytes += seenBytes;
        }
        return result(input, removed, byReason, removedBytes, docsIn, bytesIn, counters, clusterSizes, t0);
    }

    /**
     * Stage 1, prepare: the narrow table, everything the decisions need, computed in one pass over the text: ids,
     * the id's 64-bit hash, bytes, the content hash, the LSH band keys, the generation (earlier wins ties) and
     * {@code frozen} (false: a row of this corpus; true: of the index).
     */
    private Dataset<Row> prepare(Dataset<Row> documents, int generation, Shingler shingler, MinHasher hasher) {
        UserDefinedFunction contentHash = udf((UDF1<String, String>) Deduplicator::contentHash,
                DataTypes.StringType);
        UserDefinedFunction bandKeys = udf((UDF2<String, String, long[]>) (text, lang) ->
                        hasher.bandKeys(hasher.signature(shingler.shingles(text, lang))),
                DataTypes.createArrayType(DataTypes.LongType));
        org.apache.spark.sql.Column gen = List.of(documents.columns()).contains(DedupIndex.GENERATION)
                ? col(DedupIndex.GENERATION).cast("int") : lit(generation);
        return documents.select(
                col("id"), col("url"), col("fetch_time"),
                xxhash64(col("id")).as("uid"),
                coalesce(octet_length(col("text")), lit(0)).cast("long").as("bytes"),
                contentHash.apply(col("text")).as("chash"),
                config.fuzzy() ? bandKeys.apply(col("text"), col("language")).as("bands")
                        : lit(null).cast("array<bigint>").as("bands"),
                gen.as(DedupIndex.GENERATION),
                lit(false).as("frozen"),
                lit(null).cast("string").as("stored_reason"));
    }

    /** Assembles the kept and excluded documents (the wide rows are joined once, here) and the step's stats. */
    private DedupResult result(Dataset<Row> documents, Dataset<Row> removedRows, Map<String, Long> byReason,
                               long removedBytes, long docsIn, long bytesIn, Map<String, Long> counters,
                               Map<String, Long> clusterSizes, long t0) {
        for (String reason : List.of(EXACT_URL, EXACT_CONTENT, NEAR_DUPLICATE)) {
            byReason.putIfAbsent(reason, 0L);
        }
        long dropped = byReason.values().stream().mapToLong(Long::longValue).sum();
        Dataset<Row> removed = removedRows.withColumnRenamed("id", "r_id").drop("bytes");

        String[] docCols = documents.columns();
        // The removed rows carry ids and reasons, not text. When they are few enough to hold in memory, send them
        // to every task: the documents (text and all) are then not shuffled for the join, which the job does twice
        // (the excluded and the documents writes). Above the limit, the shuffle join as before; same rows either way.
        Dataset<Row> removedSide = dropped <= BROADCAST_REMOVED_ROWS ? broadcast(removed) : removed;
        Dataset<Row> joined = documents.join(removedSide, documents.col("id").equalTo(removedSide.col("r_id")),
                "left");
        Dataset<Row> kept = joined.where(col("r_id").isNull())
                .select(java.util.Arrays.stream(docCols).map(c -> documents.col(c)).toArray(
                        org.apache.spark.sql.Column[]::new));
        List<org.apache.spark.sql.Column> exCols = new ArrayList<>();
        for (String c : docCols) {
            exCols.add(documents.col(c));
        }
        exCols.add(lit(STEP).as("step"));
        exCols.add(col("reason"));
        exCols.add(col("duplicate_of"));
        exCols.add(col("similarity"));
        Dataset<Row> excluded = joined.where(col("r_id").isNotNull()).select(exCols.toArray(
                new org.apache.spark.sql.Column[0]));

        StepStats stats = new StepStats(STEP, docsIn, docsIn - dropped, bytesIn, bytesIn - removedBytes, byReason,
                counters, (System.nanoTime() - t0) / 1e9);
        return new DedupResult(kept, excluded, stats, Collections.unmodifiableMap(clusterSizes));
    }

    /**
     * Stage 3, candidates: LSH buckets -> candidate pairs (a, b), a < b: all pairs of small buckets, a star around
     * the smallest member of large ones (a bucket of 100k copies gives 100k pairs, not 5e9). A pair of two index
     * rows is never a candidate: earlier corpora's decisions are final, and a bucket of index rows only is skipped.
     */
    private Dataset<Row> candidatePairs(Dataset<Row> alive) {
        int limit = config.allPairsBucketLimit();
        Dataset<Row> buckets = alive.where(col("bands").isNotNull())
                .select(col("uid"), col("frozen"), posexplode(col("bands")).as(new String[] {"band", "key"}))
                .groupBy("band", "key")
                .agg(collect_list(when(not(col("frozen")), col("uid"))).as("m"),
                        collect_list(when(col("frozen"), col("uid"))).as("o"))
                .where(size(col("m")).geq(1).and(size(col("m")).plus(size(col("o"))).gt(1)));
        return buckets.select("m", "o")
                .flatMap((FlatMapFunction<Row, Tuple2<Long, Long>>) row -> {
                    List<Long> m = new ArrayList<>(row.getList(0));
                    java.util.Set<Long> old = new java.util.HashSet<>(row.getList(1));
                    m.addAll(old);
                    Collections.sort(m);
                    List<Tuple2<Long, Long>> out = new ArrayList<>();
                    if (m.size() <= limit) {
                        for (int i = 0; i < m.size(); i++) {
                            for (int j = i + 1; j < m.size(); j++) {
                                if (!(old.contains(m.get(i)) && old.contains(m.get(j)))) {
                                    out.add(new Tuple2<>(m.get(i), m.get(j)));
                                }
                            }
                        }
                    } else {
                        for (int j = 1; j < m.size(); j++) {
                            if (!(old.contains(m.get(0)) && old.contains(m.get(j)))) {
                                out.add(new Tuple2<>(m.get(0), m.get(j)));
                            }
                        }
                    }
                    return out.iterator();
                }, Encoders.tuple(Encoders.LONG(), Encoders.LONG()))
                .toDF("a", "b")
                .where(col("a").notEqual(col("b")))
                .distinct();
    }

    /**
     * Stage 4, verify: the candidates' shingle sets (or signatures), from the text for this corpus' documents (only
     * the candidates are re-shingled) and from the index for earlier ones; the pairs whose exact Jaccard (or
     * MinHash estimate) reaches the threshold: (a, b, sim).
     */
    private Dataset<Row> verifiedPairs(Dataset<Row> candidates, Dataset<Row> documents, Dataset<Row> index,
                                       Shingler shingler, MinHasher hasher) {
        Dataset<Row> nodes = candidates.select(col("a").as("n")).unionByName(candidates.select(col("b").as("n")))
                .distinct();
        Dataset<Row> docs = documents.select(xxhash64(col("id")).as("duid"), col("text"), col("language"));
        Dataset<Row> feats;
        if (config.verify()) {
            UserDefinedFunction sh = udf((UDF2<String, String, long[]>) shingler::shingles,
                    DataTypes.createArrayType(DataTypes.LongType));
            feats = docs.join(nodes, col("duid").equalTo(col("n")), "left_semi")
                    .select(col("duid").as("fid"), sh.apply(col("text"), col("language")).as("f"));
            if (index != null) {
                feats = feats.unionByName(DedupIndex.shingles(index).join(nodes,
                        col("fid").equalTo(col("n")), "left_semi"));
            }
        } else {
            UserDefinedFunction sg = udf((UDF2<String, String, int[]>) (t, l) ->
                            hasher.signature(shingler.shingles(t, l)),
                    DataTypes.createArrayType(DataTypes.IntegerType));
            feats = docs.join(nodes, col("duid").equalTo(col("n")), "left_semi")
                    .select(col("duid").as("fid"), sg.apply(col("text"), col("language")).as("f"));
            if (index != null) {
                UserDefinedFunction sig = udf((UDF1<scala.collection.Seq<Long>, int[]>) s -> {
                    long[] x = new long[s.size()];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = s.apply(i);
                    }
                    return hasher.signature(x);
                }, DataTypes.createArrayType(DataTypes.IntegerType));
                feats = feats.unionByName(DedupIndex.shingles(index).join(nodes,
                        col("fid").equalTo(col("n")), "left_semi").select(col("fid"), sig.apply(col("f")).as("f")));
            }
        }
        // not checkpointed: both sides of the pair join read feats, and Spark reuses the one exchange for both
        Dataset<Row> fa = feats.select(col("fid").as("aid"), col("f").as("fa"));
        Dataset<Row> fb = feats.select(col("fid").as("bid"), col("f").as("fb"));
        Dataset<Row> pairs = candidates.join(fa, col("a").equalTo(col("aid")))
                .join(fb, col("b").equalTo(col("bid")));
        Dataset<Row> scored;
        if (config.verify()) {
            org.apache.spark.sql.Column inter = size(array_intersect(col("fa"), col("fb")));
            scored = pairs.select(col("a"), col("b"), inter.divide(size(col("fa")).plus(size(col("fb")))
                    .minus(inter)).as("sim"));
        } else {
            UserDefinedFunction est = udf((UDF2<scala.collection.Seq<Integer>, scala.collection.Seq<Integer>,
                    Double>) Deduplicator::estimate, DataTypes.DoubleType);
            scored = pairs.select(col("a"), col("b"), est.apply(col("fa"), col("fb")).as("sim"));
        }
        return scored.where(col("sim").geq(config.jaccardThreshold()));
    }

    /**
     * Stage 5, cluster: connected components of the verified pairs; each component keeps one document: its
     * smallest {@code xxhash64(id)} (the component's root), or with generations the earliest generation's smallest
     * hash (an index row whenever the component has one). Returns the removed rows (id, reason, duplicate_of,
     * similarity, bytes) of this corpus, and fills the counters and the cluster-size histogram.
     */
    private Dataset<Row> clusters(Dataset<Row> edges, Dataset<Row> alive, boolean prioritised,
                                  Map<String, Long> counters, Map<String, Long> clusterSizes) {
        ConnectedComponents cc = new ConnectedComponents(64);
        Dataset<Row> comp = cc.run(edges.select(col("a").as("src"), col("b").as("dst")));
        comp = ConnectedComponents.checkpoint(comp);
        counters.put("cc_rounds", (long) cc.rounds());
        Dataset<Row> ids = alive.select(col("uid").as("iuid"), col("id").as("iid"), col("bytes").as("ibytes"),
                col("frozen").as("ifrozen"), col(DedupIndex.GENERATION).as("igen"));
        Dataset<Row> keepers;
        if (prioritised) {
            keepers = comp.join(ids, col("node").equalTo(col("iuid")))
                    .groupBy(col("root").as("kroot"))
                    .agg(min(struct(col("igen"), col("node"))).getField("node").as("keeper"));
        } else {
            keepers = comp.where(col("node").equalTo(col("root")))
                    .select(col("root").as("kroot"), col("root").as("keeper"));
        }

        // best similarity of each node to any member of its cluster (over the pairs that passed)
        Dataset<Row> best = edges.select(col("a").as("bn"), col("sim"))
                .unionByName(edges.select(col("b").as("bn"), col("sim")))
                .groupBy("bn").agg(max("sim").as("similarity"));
        Dataset<Row> removed = comp.join(keepers, col("root").equalTo(col("kroot")))
                .where(col("node").notEqual(col("keeper")))
                .join(ids, col("node").equalTo(col("iuid")))
                .where(not(col("ifrozen")))
                .join(ids.select(col("iuid").as("ruid"), col("iid").as("keeper_id")),
                        col("keeper").equalTo(col("ruid")))
                .join(best, col("node").equalTo(col("bn")))
                .select(col("iid").as("id"), lit(NEAR_DUPLICATE).as("reason"), col("keeper_id").as("duplicate_of"),
                        col("similarity"), col("ibytes").as("bytes"));

        // cluster-size histogram: a few dozen rows at most reach the driver
        Dataset<Row> sizes = comp.groupBy("root").agg(count(lit(1)).as("size"));
        Map<String, Long> hist = new java.util.TreeMap<>(java.util.Comparator.comparingLong(Deduplicator::lower));
        long clusters = 0;
        long largest = 0;
        for (Row r : sizes.select(when(col("size").leq(2), lit(2L))
                        .otherwise(org.apache.spark.sql.functions.pow(lit(2),
                                org.apache.spark.sql.functions.ceil(org.apache.spark.sql.functions.log2(
                                        col("size")))).cast("long")).as("ub"), col("size"))
                .groupBy("ub").agg(count(lit(1)), max("size")).collectAsList()) {
            long ub = r.getLong(0);
            hist.put(ub <= 2 ? "2" : (ub / 2 + 1) + "-" + ub, r.getLong(1));
            clusters += r.getLong(1);
            largest = Math.max(largest, r.getLong(2));
        }
        counters.put("clusters", clusters);
        counters.put("largest_cluster", largest);
        clusterSizes.putAll(hist);
        return removed;
    }

    /**
     * Stage 2, exact: the narrow table with the exact stages' decisions: {@code reason} (null: alive),
     * {@code duplicate_of}, {@code similarity}. exact_url: in each url's window, ordered by generation, then
     * fetch_time (latest first), then id, the first row is kept. exact_content: among the url stage's survivors, in
     * each content hash's window ordered by generation then id, the first row is kept. An index row's own decision is
     * the one stored ({@code stored_reason}); a near_duplicate index row is alive here (it takes part in the fuzzy
     * stage as it did in its own run). Rows without a url or a hash, and the url stage's losers, get a window of
     * their own (a key that no url or hex hash can equal: no null key gathering them all into one task).
     */
    private Dataset<Row> exactStages(Dataset<Row> meta) {
        org.apache.spark.sql.Column self = org.apache.spark.sql.functions.concat(lit("\u0000"), col("id"));
        org.apache.spark.sql.Column frozen = col("frozen");
        org.apache.spark.sql.Column stored = coalesce(col("stored_reason"), lit(""));
        Dataset<Row> d = meta.withColumn("url_keep", col("id"));
        if (config.exactUrl()) {
            WindowSpec byUrl = Window.partitionBy(coalesce(col("url"), self))
                    .orderBy(col(DedupIndex.GENERATION).asc(), col("fetch_time").desc_nulls_last(), col("id").asc());
            d = d.withColumn("url_keep", when(col("url").isNull(), col("id"))
                    .otherwise(org.apache.spark.sql.functions.first("id").over(byUrl)));
        }
        org.apache.spark.sql.Column urlLost = when(frozen, stored.equalTo(EXACT_URL))
                .otherwise(col("url_keep").notEqual(col("id")));
        d = d.withColumn("url_lost", urlLost).withColumn("c_keep", col("id"));
        if (config.exactContent()) {
            org.apache.spark.sql.Column candidate = not(col("url_lost")).and(col("chash").isNotNull());
            WindowSpec byContent = Window.partitionBy(when(candidate, col("chash")).otherwise(self))
                    .orderBy(col(DedupIndex.GENERATION).asc(), col("id").asc());
            d = d.withColumn("c_keep", when(candidate, org.apache.spark.sql.functions.first("id").over(byContent))
                    .otherwise(col("id")));
        }
        org.apache.spark.sql.Column contentLost = not(col("url_lost")).and(when(frozen,
                stored.equalTo(EXACT_CONTENT)).otherwise(col("c_keep").notEqual(col("id"))));
        return d.select(col("id"), col("uid"), col("bytes"), col("bands"), col(DedupIndex.GENERATION), frozen,
                when(col("url_lost"), lit(EXACT_URL)).when(contentLost, lit(EXACT_CONTENT)).as("reason"),
                when(col("url_lost"), col("url_keep")).when(contentLost, col("c_keep")).as("duplicate_of"),
                when(contentLost, lit(1.0)).cast("double").as("similarity"));
    }

    private static long lower(String label) {
        int dash = label.indexOf('-');
        return Long.parseLong(dash < 0 ? label : label.substring(0, dash));
    }

    static double estimate(scala.collection.Seq<Integer> x, scala.collection.Seq<Integer> y) {
        int n = x.size();
        int eq = 0;
        for (int i = 0; i < n; i++) {
            if (x.apply(i).equals(y.apply(i))) {
                eq++;
            }
        }
        return n == 0 ? 0.0 : (double) eq / n;
    }

    /** SHA-256 (hex) of the normalised text: NFKC, lower case, letters/digits only, runs joined by one space. */
    public static String contentHash(String text) {
        if (text == null) {
            return null;
        }
        String s = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        StringBuilder b = new StringBuilder(s.length());
        boolean space = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isLetterOrDigit(cp)) {
                if (space && b.length() > 0) {
                    b.append(' ');
                }
                space = false;
                b.appendCodePoint(cp);
            } else {
                space = true;
            }
        }
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(b.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
