package io.sparkgpt.trainer.batch;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.model.Sampler;
import io.sparkgpt.model.infer.InferenceModel;
import io.sparkgpt.model.infer.Precision;
import io.sparkgpt.spark.Sessions;
import io.sparkgpt.spark.StepOutput;
import io.sparkgpt.tokenizer.BpeTokenizer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import scala.Tuple2;

/**
 * {@code generate}: a completion for every prompt of a Parquet or JSONL input, on the executors. Each executor loads
 * the model once ({@link ExecutorInference}); a task decodes its prompts {@code --batch-size} at a time through
 * {@link BatchDecoder} (one forward pass per step for the whole batch, KV cache). Sampling options as in
 * {@code GptMain sample}; row {@code r} is sampled from seed (--seed, r), so the output is the same whatever the
 * partitioning. Bad rows (empty prompt, prompt that leaves no room in the context, missing column, line that is not
 * JSON) are named in {@code errors} and counted in {@code stats.json}; the job finishes.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Completions for every prompt of a Parquet/JSONL input, batched on the executors.")
public final class GenerateJob implements Callable<Integer> {
    @Mixin
    BatchOptions b = new BatchOptions();
    @Option(names = "--column", defaultValue = "prompt", description = "the prompt column (default: ${DEFAULT-VALUE})")
    String column;
    @Option(names = "--max-new-tokens", defaultValue = "64", description = "default: ${DEFAULT-VALUE}")
    int maxNewTokens;
    @Option(names = "--temperature", defaultValue = "0.8", description = "0 = greedy (default: ${DEFAULT-VALUE})")
    double temperature;
    @Option(names = "--top-k", defaultValue = "200", description = "0 = off (default: ${DEFAULT-VALUE})")
    int topK;
    @Option(names = "--top-p", defaultValue = "1.0", description = "default: ${DEFAULT-VALUE}")
    double topP;
    @Option(names = "--seed", defaultValue = "1337", description = "row r draws from (seed, r) (default: ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--batch-size", defaultValue = "16", description = "prompts decoded together (default: ${DEFAULT-VALUE})")
    int batchSize;

    public static void main(String[] args) {
        Cli.main(new GenerateJob(), args);
    }

    static final StructType SCHEMA = new StructType()
            .add("row", DataTypes.LongType, false)
            .add("prompt", DataTypes.StringType, true)
            .add("completion", DataTypes.StringType, true)
            .add("prompt_tokens", DataTypes.IntegerType, false)
            .add("new_tokens", DataTypes.LongType, false)
            .add("error", DataTypes.StringType, true)
            .add("detail", DataTypes.StringType, true);

    @Override
    public Integer call() {
        if (batchSize < 1 || maxNewTokens < 1) {
            throw new UsageException("--batch-size and --max-new-tokens must be >= 1");
        }
        SparkSession spark = Sessions.getOrCreate("sparkgpt-generate");
        try {
            Storage storage = new Storage(spark.sparkContext().hadoopConfiguration());
            StepOutput out = b.open(storage, "generate");
            if (out == null) {
                return Cli.EXIT_OK;
            }
            ModelSource src = b.model(storage);
            BatchInput in = b.read(spark, column);
            Sampler.Options o; // validated here, once, for a clear error on the driver
            try {
                o = new Sampler.Options(maxNewTokens, temperature, topK, topP, seed, -1, true);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage(), e);
            }
            int bs = batchSize, col = in.column(), corrupt = in.corrupt(), n = maxNewTokens, k = topK;
            double temp = temperature, p = topP;
            long sd = seed;
            String name = column;
            // Sampler.Options is not Serializable: the closure carries its fields and rebuilds it on the executor
            JavaRDD<Row> rows = in.rows().mapPartitions(it -> generate(src, it, col, corrupt, name,
                    new Sampler.Options(n, temp, k, p, sd, -1, true), bs));
            Map<String, Object> fig = new LinkedHashMap<>();
            fig.put("model", src.modelPath());
            fig.put("input", b.input);
            fig.put("sampling", Map.of("max_new_tokens", maxNewTokens, "temperature", temperature, "top_k", topK,
                    "top_p", topP, "seed", seed, "batch_size", batchSize, "precision", b.precision.name()));
            Map<String, Object> stats = BatchOutput.write(storage, out, "completions", "new_tokens",
                    spark.createDataFrame(rows, SCHEMA), fig);
            System.out.printf("generate: %d rows, %d completions, errors %s, %.1f prompts/s, %.1f tokens/s -> %s%n",
                    stats.get("rows"), stats.get("kept"), stats.get("errors"), stats.get("rows_per_s"),
                    stats.get("tokens_per_s"), b.output);
            return Cli.EXIT_OK;
        } finally {
            spark.stop();
        }
    }

    /** One partition: bad rows answered at once, good ones decoded {@code batchSize} at a time. */
    static Iterator<Row> generate(ModelSource src, Iterator<Tuple2<Row, Long>> it, int col, int corrupt, String name,
                                  Sampler.Options o, int batchSize) {
        ExecutorInference.Loaded l = ExecutorInference.get(src);
        InferenceModel m = l.model();
        BpeTokenizer tok = l.tokenizer();
        int maxT = m.shape().blockSize();
        List<Row> res = new ArrayList<>();
        List<int[]> batch = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        while (it.hasNext()) {
            Tuple2<Row, Long> t = it.next();
            long row = t._2();
            String[] bad = BatchInput.badRow(t._1(), col, corrupt, name);
            String prompt = bad == null ? t._1().get(col).toString() : null;
            int[] ids0 = prompt == null ? null : tok.encode(prompt);
            if (bad == null && ids0.length == 0) {
                bad = new String[] {"empty_prompt", "the prompt has no tokens"};
            } else if (bad == null && ids0.length >= maxT) {
                bad = new String[] {"prompt_too_long", "prompt of " + ids0.length + " tokens leaves no room in the "
                        + "model's context of " + maxT};
            }
            if (bad != null) {
                res.add(RowFactory.create(row, prompt, null, ids0 == null ? 0 : ids0.length, 0L, bad[0], bad[1]));
                continue;
            }
            batch.add(ids0);
            texts.add(prompt);
            ids.add(row);
            if (batch.size() == batchSize || !it.hasNext()) {
                flush(m, tok, batch, texts, ids, o, res);
            }
        }
        flush(m, tok, batch, texts, ids, o, res);
        return res.iterator();
    }

    private static void flush(InferenceModel m, BpeTokenizer tok, List<int[]> batch, List<String> texts,
                              List<Long> ids, Sampler.Options o, List<Row> res) {
        if (batch.isEmpty()) {
            return;
        }
        long[] rows = ids.stream().mapToLong(Long::longValue).toArray();
        int[][] outs = BatchDecoder.generate(m, batch, rows, o);
        for (int i = 0; i < outs.length; i++) {
            res.add(RowFactory.create(rows[i], texts.get(i), tok.decode(outs[i]), batch.get(i).length,
                    (long) outs[i].length, null, null));
        }
        batch.clear();
        texts.clear();
        ids.clear();
    }
}
