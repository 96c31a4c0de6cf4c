package io.sparkgpt.trainer.batch;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.model.infer.InferenceModel;
import io.sparkgpt.model.infer.Perplexity;
import io.sparkgpt.model.infer.Precision;
import io.sparkgpt.spark.Sessions;
import io.sparkgpt.spark.StepOutput;
import io.sparkgpt.tokenizer.BpeTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import scala.Tuple2;

/**
 * {@code score}: each document's loss (mean nats per token) and perplexity under a model, added as columns to the
 * input's rows: a quality signal to filter a crawl by (as CCNet keeps the paragraphs its language model finds
 * likely). A document longer than the context is scored in consecutive windows of blockSize tokens, each predicted
 * from the tokens before it in the window. Empty or one-token documents, missing columns and lines that are not JSON
 * are named in {@code errors} and counted in {@code stats.json}; the job finishes.
 */
@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Per-document loss and perplexity of a Parquet/JSONL corpus under a model, as columns.")
public final class ScoreJob implements Callable<Integer> {
    @Mixin
    BatchOptions b = new BatchOptions();
    @Option(names = "--column", defaultValue = "text", description = "the text column (default: ${DEFAULT-VALUE})")
    String column;

    public static void main(String[] args) {
        Cli.main(new ScoreJob(), args);
    }

    @Override
    public Integer call() {
        SparkSession spark = Sessions.getOrCreate("sparkgpt-score");
        try {
            Storage storage = new Storage(spark.sparkContext().hadoopConfiguration());
            StepOutput out = b.open(storage, "score");
            if (out == null) {
                return Cli.EXIT_OK;
            }
            ModelSource src = b.model(storage);
            BatchInput in = b.read(spark, column);
            StructType schema = new StructType();
            List<Integer> keep = new ArrayList<>();
            StructField[] fields = in.schema().fields();
            for (int i = 0; i < fields.length; i++) {
                if (!fields[i].name().equals(BatchInput.CORRUPT)) {
                    schema = schema.add(fields[i]);
                    keep.add(i);
                }
            }
            for (String c : List.of("row", "n_tokens", "loss", "perplexity", "error", "detail")) {
                if (Arrays.asList(schema.fieldNames()).contains(c)) {
                    throw new UsageException("--input " + b.input + " already has a column '" + c + "'");
                }
            }
            schema = schema.add("row", DataTypes.LongType, false).add("n_tokens", DataTypes.LongType, false)
                    .add("loss", DataTypes.DoubleType, true).add("perplexity", DataTypes.DoubleType, true)
                    .add("error", DataTypes.StringType, true).add("detail", DataTypes.StringType, true);
            int col = in.column(), corrupt = in.corrupt();
            int[] cols = keep.stream().mapToInt(Integer::intValue).toArray();
            String name = column;
            JavaRDD<Row> rows = in.rows().mapPartitions(it -> score(src, it, col, corrupt, name, cols));
            Map<String, Object> fig = new LinkedHashMap<>();
            fig.put("model", src.modelPath());
            fig.put("input", b.input);
            Map<String, Object> stats = BatchOutput.write(storage, out, "scored", "n_tokens",
                    spark.createDataFrame(rows, schema), fig);
            System.out.printf("score: %d rows, %d scored, errors %s, %.1f docs/s, %.1f tokens/s -> %s%n",
                    stats.get("rows"), stats.get("kept"), stats.get("errors"), stats.get("rows_per_s"),
                    stats.get("tokens_per_s"), b.output);
            return Cli.EXIT_OK;
        } finally {
            spark.stop();
        }
    }

    static Iterator<Row> score(ModelSource src, Iterator<Tuple2<Row, Long>> it, int col, int corrupt, String name,
                               int[] cols) {
        ExecutorInference.Loaded l = ExecutorInference.get(src);
        List<Row> res = new ArrayList<>();
        while (it.hasNext()) {
            Tuple2<Row, Long> t = it.next();
            Row r = t._1();
            Object[] v = new Object[cols.length + 6];
            for (int i = 0; i < cols.length; i++) {
                v[i] = r.get(cols[i]);
            }
            v[cols.length] = t._2();
            String[] bad = BatchInput.badRow(r, col, corrupt, name);
            int[] tokens = bad == null ? l.tokenizer().encode(r.get(col).toString()) : new int[0];
            if (bad == null && tokens.length < 2) {
                bad = new String[] {tokens.length == 0 ? "empty_text" : "too_short",
                    tokens.length + " token(s): nothing to predict"};
            }
            v[cols.length + 1] = (long) tokens.length;
            if (bad != null) {
                v[cols.length + 4] = bad[0];
                v[cols.length + 5] = bad[1];
            } else {
                double loss = meanLoss(l.model(), tokens);
                v[cols.length + 2] = loss;
                v[cols.length + 3] = Math.exp(loss);
            }
            res.add(RowFactory.create(v));
        }
        return res.iterator();
    }

    /** Mean nats per predicted token (tokens 1..n-1), in consecutive windows of at most blockSize positions. */
    static double meanLoss(InferenceModel m, int[] tokens) {
        int T = m.shape().blockSize();
        double sum = 0;
        long n = 0;
        for (int s = 0; s < tokens.length - 1; s += T) {
            int e = Math.min(s + T, tokens.length - 1);
            float[][] logits = m.logitsAll(Arrays.copyOfRange(tokens, s, e));
            for (int i = 0; i < e - s; i++) {
                sum += Perplexity.crossEntropy(logits[i], tokens[s + i + 1]);
                n++;
            }
        }
        return sum / n;
    }
}
