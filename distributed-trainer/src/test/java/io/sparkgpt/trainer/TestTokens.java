package io.sparkgpt.trainer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Token Parquet in the pipeline's contract (doc_id, n_tokens, tokens; train/val split by a hash of doc_id), made
 * from real text in data/test with the simplest tokenizer there is: one token per UTF-8 byte, EOT = 256.
 * The tokenizer issue's BPE is not needed to test the trainer.
 */
public final class TestTokens {
    static final int EOT = 256;

    private TestTokens() {}

    /** A text of data/test (the repository's test corpora, sources in NOTICE); missing, the test fails. */
    public static Path sharedText(String rel) {
        Path f = Path.of(System.getProperty("sparkgpt.test.data", "../data/test"), "text", rel);
        if (!Files.isRegularFile(f)) {
            throw new IllegalStateException("test data not found: " + f.toAbsolutePath().normalize()
                    + " (it is part of the repository, under data/test)");
        }
        return f;
    }

    /** Writes {@code out/train} and {@code out/val} from the first {@code maxBytes} of tinyshakespeare. */
    public static void write(SparkSession spark, Path out, int maxBytes) throws IOException {
        String text = Files.readString(sharedText("en/tinyshakespeare-input.txt"), StandardCharsets.UTF_8);
        text = text.substring(0, Math.min(text.length(), maxBytes));
        // documents = speeches (blank-line separated), grouped ten at a time
        String[] speeches = text.split("\n\n");
        List<Row> train = new ArrayList<>();
        List<Row> val = new ArrayList<>();
        for (int d = 0; d * 10 < speeches.length; d++) {
            StringBuilder sb = new StringBuilder();
            for (int i = d * 10; i < Math.min(speeches.length, d * 10 + 10); i++) {
                sb.append(speeches[i]).append("\n\n");
            }
            byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
            List<Integer> toks = new ArrayList<>(bytes.length + 1);
            for (byte b : bytes) {
                toks.add(b & 0xff);
            }
            toks.add(EOT);
            String id = String.format("%040x", new java.math.BigInteger(1, sha1("doc-" + d)));
            Row r = RowFactory.create(id, toks.size(), toks);
            (Math.floorMod(id.hashCode(), 10) == 0 ? val : train).add(r);
        }
        StructType schema = new StructType()
                .add("doc_id", DataTypes.StringType, false)
                .add("n_tokens", DataTypes.IntegerType, false)
                .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType, false), false);
        write(spark.createDataFrame(train, schema), out.resolve("train"));
        write(spark.createDataFrame(val, schema), out.resolve("val"));
    }

    /** {@link #write} in a local Spark session of {@code threads} cores of its own, stopped after. */
    public static void writeLocally(Path out, int maxBytes, int threads) throws IOException {
        SparkSession spark = SparkSession.builder().master("local[" + threads + "]").appName("test-tokens")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            write(spark, out, maxBytes);
        } finally {
            spark.stop();
        }
    }

    private static void write(Dataset<Row> df, Path dir) {
        df.repartition(3).write().mode(SaveMode.Overwrite).parquet(dir.toString());
    }

    private static byte[] sha1(String s) {
        try {
            return java.security.MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
