package io.sparkgpt.pipeline.tokenize;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.spark.Sessions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Plain text -> token Parquet in the pipeline's contract ({@code train/}, {@code val/}: doc_id, n_tokens, tokens),
 * with the simplest tokenizer: one token per UTF-8 byte, end-of-text = 256 (vocabulary 257). For benchmarks and
 * demos of the trainer on a text file without the crawl pipeline; documents are groups of {@code --doc-paragraphs}
 * blank-line separated paragraphs; the train/val split is {@link TokenSplit}'s, the one {@link TokenizeJob} uses.
 */
@Command(name = "text-tokens", mixinStandardHelpOptions = true,
        description = "Byte-level token Parquet (train/, val/) from plain text files.")
public final class TextTokensJob implements Callable<Integer> {
    public static final int EOT = 256;

    @Option(names = "--input", required = true, split = ",", description = "text files (comma-separated)")
    List<String> inputs;
    @Option(names = "--output", required = true, description = "tokens folder to write (train/, val/)")
    String output;
    @Option(names = "--doc-paragraphs", defaultValue = "10", description = "paragraphs per document (default: ${DEFAULT-VALUE})")
    int docParagraphs;
    @Option(names = "--val-fraction", defaultValue = "0.1",
            description = "share of documents in val/, by TokenSplit's hash of doc_id as in tokenize (default: ${DEFAULT-VALUE})")
    double valFraction;
    @Option(names = "--max-bytes", defaultValue = "0", description = "read at most this many characters per file; 0 = all")
    int maxBytes;
    @Option(names = "--overwrite", description = "replace an existing output")
    boolean overwrite;

    public static void main(String[] args) {
        Cli.main(new TextTokensJob(), args);
    }

    /**
     * Document {@code d} of the file {@code input}: a hash of the file's NAME and d, not of its path, so the same file
     * read from another folder, checkout or bucket gives the same ids and so the same train/val split.
     */
    static String docId(MessageDigest sha, String input, int d) {
        String p = input.endsWith("/") ? input.substring(0, input.length() - 1) : input;
        String name = p.substring(p.lastIndexOf('/') + 1);
        return HexFormat.of().formatHex(sha.digest((name + "#" + d).getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public Integer call() throws Exception {
        if (!(valFraction >= 0 && valFraction < 1)) {
            throw new UsageException("--val-fraction must be in [0, 1), got " + valFraction);
        }
        SparkSession spark = Sessions.getOrCreate("sparkgpt-text-tokens");
        try {
            Storage st = new Storage(spark.sparkContext().hadoopConfiguration());
            for (String in : inputs) {
                st.requireExists("input", in);
            }
            if (st.isComplete(Storage.child(output, "train")) && !overwrite) {
                throw new UsageException("output " + output + " already holds tokens: use --overwrite");
            }
            st.requireWritable(output);
            List<Row> train = new ArrayList<>();
            List<Row> val = new ArrayList<>();
            MessageDigest sha = MessageDigest.getInstance("SHA-1");
            for (String in : inputs) {
                String text = st.readString(in);
                if (maxBytes > 0) {
                    text = text.substring(0, Math.min(text.length(), maxBytes));
                }
                String[] paras = text.split("\n\\s*\n");
                for (int d = 0; d * docParagraphs < paras.length; d++) {
                    StringBuilder sb = new StringBuilder();
                    for (int i = d * docParagraphs; i < Math.min(paras.length, (d + 1) * docParagraphs); i++) {
                        sb.append(paras[i]).append("\n\n");
                    }
                    byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
                    List<Integer> toks = new ArrayList<>(bytes.length + 1);
                    for (byte b : bytes) {
                        toks.add(b & 0xff);
                    }
                    toks.add(EOT);
                    String id = docId(sha, in, d);
                    boolean isVal = TokenSplit.of(id, valFraction).equals(TokenSplit.VAL);
                    (isVal ? val : train).add(RowFactory.create(id, toks.size(), toks));
                }
            }
            StructType schema = new StructType().add("doc_id", DataTypes.StringType, false)
                    .add("n_tokens", DataTypes.IntegerType, false)
                    .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType, false), false);
            spark.createDataFrame(train, schema).repartition(2).write().mode(SaveMode.Overwrite)
                    .parquet(Storage.child(output, TokenSplit.TRAIN));
            spark.createDataFrame(val, schema).repartition(1).write().mode(SaveMode.Overwrite)
                    .parquet(Storage.child(output, TokenSplit.VAL));
            System.out.printf("text-tokens: %d train and %d val documents -> %s%n", train.size(), val.size(), output);
            return Cli.EXIT_OK;
        } finally {
            spark.stop();
        }
    }
}
