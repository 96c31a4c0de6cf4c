package io.sparkgpt.trainer.align;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;

/**
 * Where a job's per-shard preparation runs (DPO's reference log-probabilities): on the executors, one task per
 * shard, for the job; in the calling thread for a tuning trial, which is already one executor task.
 */
public interface ShardMap {
    <A, B> List<B> map(List<A> shards, Function<A, B> f);

    /** One Spark task per shard. */
    static ShardMap onSpark(JavaSparkContext sc) {
        return new ShardMap() {
            @Override
            public <A, B> List<B> map(List<A> shards, Function<A, B> f) {
                return sc.parallelize(shards, shards.size()).map(f).collect();
            }
        };
    }

    /** In this thread, shard after shard. */
    static ShardMap here() {
        return new ShardMap() {
            @Override
            public <A, B> List<B> map(List<A> shards, Function<A, B> f) {
                List<B> out = new ArrayList<>();
                for (A a : shards) {
                    try {
                        out.add(f.call(a));
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
                return out;
            }
        };
    }
}
