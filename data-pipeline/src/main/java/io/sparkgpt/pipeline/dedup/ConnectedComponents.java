package io.sparkgpt.pipeline.dedup;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Distributed connected components of an undirected graph of {@code long} node ids, by the alternating
 * large-star / small-star algorithm (Kiveris et al., "Connected Components in MapReduce and Beyond", SoCC 2014),
 * written as DataFrame aggregations and joins: O(log^2 n) rounds, and no step ever holds a component in one
 * place. A component of 100k nodes is one key with 100k rows in a sort-merge join or an aggregation, which Spark
 * streams and spills; nothing is collected to the driver but one checksum per round. Each round's edges are
 * checkpointed ({@link Dataset#localCheckpoint(boolean)}, or {@link Dataset#checkpoint(boolean)} when the
 * SparkContext has a checkpoint dir) so the lineage does not grow with the rounds.
 *
 * <p>Result: one row {@code (node, root)} per node that has an edge, where {@code root} is the smallest node id of
 * its component (the root's own row included, with {@code node == root}).
 */
public final class ConnectedComponents {
    private final int maxRounds;
    private int rounds;

    public ConnectedComponents(int maxRounds) {
        this.maxRounds = maxRounds;
    }

    public int rounds() {
        return rounds;
    }

    /** @param edges columns {@code src}, {@code dst} (long); direction and duplicates do not matter */
    public Dataset<Row> run(Dataset<Row> edges) {
        // orient every edge as (hi, lo), hi > lo
        Dataset<Row> e = edges.where(col("src").notEqual(col("dst")))
                .select(greatest("src", "dst").as("hi"), least(col("src"), col("dst")).as("lo"))
                .distinct();
        e = checkpoint(e);
        long[] prev = checksum(e);
        rounds = 0;
        while (true) {
            if (++rounds > maxRounds) {
                throw new IllegalStateException("connected components did not converge in " + maxRounds
                        + " rounds");
            }
            e = checkpoint(smallStar(largeStar(e)));
            long[] now = checksum(e);
            if (now[0] == prev[0] && now[1] == prev[1]) {
                break;
            }
            prev = now;
        }
        // converged: every edge is (node, root of its component)
        Dataset<Row> members = e.select(col("hi").as("node"), col("lo").as("root"));
        Dataset<Row> roots = e.select(col("lo").as("node"), col("lo").as("root")).distinct();
        return members.unionByName(roots);
    }

    /**
     * Large-star: every node u links each strictly larger neighbour to m(u), the smallest of u and its
     * neighbours.
     */
    static Dataset<Row> largeStar(Dataset<Row> e) {
        Dataset<Row> sym = e.select(col("hi").as("u"), col("lo").as("v"))
                .unionByName(e.select(col("lo").as("u"), col("hi").as("v")));
        Dataset<Row> m = sym.groupBy("u").agg(min("v").as("mv"))
                .select(col("u").as("mu_u"), least(col("u"), col("mv")).as("m"));
        return sym.where(col("v").gt(col("u")))
                .join(m, col("u").equalTo(col("mu_u")))
                .select(col("v").as("hi"), col("m").as("lo"))
                .distinct();
    }

    /**
     * Small-star: every node u links itself and each of its smaller neighbours to m(u), the smallest of its
     * smaller neighbours.
     */
    static Dataset<Row> smallStar(Dataset<Row> e) {
        Dataset<Row> m = e.groupBy("hi").agg(min("lo").as("m")).withColumnRenamed("hi", "mu_u");
        Dataset<Row> joined = e.join(m, col("hi").equalTo(col("mu_u")));
        Dataset<Row> smaller = joined.where(col("lo").notEqual(col("m")))
                .select(col("lo").as("hi"), col("m").as("lo"));
        Dataset<Row> self = m.select(col("mu_u").as("hi"), col("m").as("lo"));
        return smaller.unionByName(self).distinct();
    }

    private static org.apache.spark.sql.Column greatest(String a, String b) {
        return when(col(a).gt(col(b)), col(a)).otherwise(col(b));
    }

    private static long[] checksum(Dataset<Row> e) {
        Row r = e.agg(org.apache.spark.sql.functions.count(lit(1)),
                sum(xxhash64(col("hi"), col("lo")).cast("decimal(38,0)"))).first();
        long c = r.getLong(0);
        long s = r.isNullAt(1) ? 0 : r.getDecimal(1).longValue();
        return new long[] {c, s};
    }

    static Dataset<Row> checkpoint(Dataset<Row> d) {
        boolean reliable = d.sparkSession().sparkContext().getCheckpointDir().isDefined();
        return reliable ? d.checkpoint(true) : d.localCheckpoint(true);
    }
}
