package io.sparkgpt.pipeline.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.pipeline.TestData;
import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.BpeTrainer;
import io.sparkgpt.tokenizer.PreTokenizer;
import io.sparkgpt.tokenizer.TokenizerFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TrainTokenizerJob and TokenizeJob in local[2] on a small documents Parquet of English and Chinese text. */
class TokenizeJobsTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;
    static Path documents;
    /** id -> (language, text), the non-empty documents. */
    static Map<String, String[]> docs = new TreeMap<>();

    @BeforeAll
    static void writeDocuments() throws IOException {
        spark = SparkSession.builder().master("local[2]").appName("tokenize-test")
                .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.shuffle.partitions", "4").getOrCreate();
        Path shared = TestData.shared();
        String en = Files.readString(shared.resolve("text/en/tinyshakespeare-input.txt"), StandardCharsets.UTF_8);
        String[] enParas = en.substring(0, 60_000).split("\n\n");
        String zh = chineseFortunes(shared);
        String[] zhItems = zh.split("\n%\n");
        StructType schema = new StructType().add("id", DataTypes.StringType).add("url", DataTypes.StringType)
                .add("source", DataTypes.StringType).add("language", DataTypes.StringType)
                .add("text", DataTypes.StringType);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < enParas.length; i++) {
            add(rows, "en-" + i, "en", enParas[i]);
        }
        for (int i = 0; i < Math.min(zhItems.length, 300); i++) {
            add(rows, "zh-" + i, "zh", zhItems[i]);
        }
        rows.add(RowFactory.create("empty-1", null, "test", "en", ""));
        rows.add(RowFactory.create("null-1", null, "test", "en", null));
        documents = tmp.resolve("documents");
        spark.createDataFrame(rows, schema).repartition(3).write().parquet(documents.toString());
    }

    private static void add(List<Row> rows, String id, String lang, String text) {
        rows.add(RowFactory.create(id, "http://example.org/" + id, "test", lang, text));
        docs.put(id, new String[] {lang, text});
    }

    /** The Chinese fortunes file from the shared tarball (a small tar reader: no commons-compress here). */
    static String chineseFortunes(Path shared) throws IOException {
        try (InputStream in = new java.util.zip.GZIPInputStream(Files.newInputStream(
                shared.resolve("text/multilingual/fortunes-zh-chinese-400.tar.gz")))) {
            byte[] header = new byte[512];
            while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
                String name = new String(header, 0, 100, StandardCharsets.UTF_8).replace("\0", "");
                long size = Long.parseLong(new String(header, 124, 12, StandardCharsets.UTF_8)
                        .replace("\0", "").trim(), 8);
                byte[] data = in.readNBytes((int) size);
                in.readNBytes((int) ((512 - size % 512) % 512));
                if (name.endsWith("fortunes/chinese")) {
                    return new String(data, StandardCharsets.UTF_8);
                }
            }
        }
        throw new IOException("chinese fortunes not found");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    record Run(int code, String err) {}

    static Run run(Callable<Integer> job, String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            return new Run(Cli.execute(job, args), buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }

    static JsonNode json(Path p) throws IOException {
        return new ObjectMapper().readTree(p.toFile());
    }

    @Test
    void trainThenTokenize() throws IOException {
        Path tokDir = tmp.resolve("tok");
        Run r = run(new TrainTokenizerJob(), "--input", documents.toString(), "--output", tokDir.toString(),
                "--vocab-size", "800", "--min-frequency", "2");
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("vocab.json", "merges.txt", "tokenizer.json", "stats.json", "_SUCCESS")) {
            assertTrue(Files.exists(tokDir.resolve(f)), f);
        }
        BpeTokenizer tok = TokenizerFiles.load(tokDir);
        assertEquals(800, tok.vocabSize());
        assertEquals(799, tok.eotId());

        // the distributed word counts must give exactly what counting on one machine gives
        Map<String, Long> counts = new HashMap<>();
        for (String[] d : docs.values()) {
            BpeTrainer.countWords(d[1], PreTokenizer.GPT2, counts);
        }
        BpeTokenizer local = new BpeTrainer(BpeTrainer.Config.of(800, PreTokenizer.GPT2)).train(counts).tokenizer();
        assertEquals(TokenizerFiles.mergesTxt(local), Files.readString(tokDir.resolve("merges.txt")));

        JsonNode stats = json(tokDir.resolve("stats.json"));
        assertEquals(docs.size() + 2, stats.at("/steps/0/documentsIn").asLong());
        assertEquals(2, stats.at("/steps/0/droppedByReason/empty_text").asLong());
        double enBpt = stats.at("/totals/bytes_per_token_by_language/en").asDouble();
        double zhBpt = stats.at("/totals/bytes_per_token_by_language/zh").asDouble();
        // 543 merges shared by both languages on in-sample documents; bytes alone would be 1.0, and GPT-2's 50k
        // vocabulary gets about 1.3 on Chinese
        assertTrue(enBpt > 1.5 && zhBpt > 1.5, stats.toString());

        // a complete output is left alone
        long mtime = Files.getLastModifiedTime(tokDir.resolve("merges.txt")).toMillis();
        r = run(new TrainTokenizerJob(), "--input", documents.toString(), "--output", tokDir.toString(),
                "--vocab-size", "800");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("nothing to do"), r.err());
        assertEquals(mtime, Files.getLastModifiedTime(tokDir.resolve("merges.txt")).toMillis());

        Path out = tmp.resolve("tokens-trained");
        r = run(new TokenizeJob(), "--input", documents.toString(), "--tokenizer", tokDir.toString(), "--output",
                out.toString(), "--val-fraction", "0.2", "--export-llmc", "--llmc-shard-tokens", "5000");
        assertEquals(0, r.code(), r.err());
        checkTokens(out, tok, 0.2, true);
    }

    @Test
    void tokenizeWithGpt2Ranks() throws IOException {
        String ranks;
        try (InputStream in = com.knuddels.jtokkit.Encodings.class
                .getResourceAsStream("/com/knuddels/jtokkit/r50k_base.tiktoken")) {
            ranks = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        BpeTokenizer gpt2 = BpeTokenizer.fromTiktoken(ranks, "r50k_base.tiktoken", BpeTokenizer.gpt2Specials(),
                PreTokenizer.GPT2);
        Path dir = tmp.resolve("gpt2");
        TokenizerFiles.save(gpt2, dir);
        Path out = tmp.resolve("tokens-gpt2");
        Run r = run(new TokenizeJob(), "--input", documents.toString(), "--tokenizer", dir.toString(), "--output",
                out.toString(), "--export-llmc");
        assertEquals(0, r.code(), r.err());
        checkTokens(out, gpt2, 0.05, true);
        // GPT-2 ids as jtokkit gives them, 50256 at the end
        var ref = com.knuddels.jtokkit.Encodings.newDefaultEncodingRegistry()
                .getEncoding(com.knuddels.jtokkit.api.EncodingType.R50K_BASE);
        Map<String, int[]> got = readTokens(out);
        for (Map.Entry<String, int[]> e : got.entrySet()) {
            int[] ids = e.getValue();
            assertEquals(50256, ids[ids.length - 1]);
            assertArrayEquals(ref.encodeOrdinary(docs.get(e.getKey())[1]).toArray(),
                    java.util.Arrays.copyOf(ids, ids.length - 1), e.getKey());
        }
    }

    @Test
    void badInputsAreOneLineUsageErrors() throws IOException {
        Run r = run(new TokenizeJob(), "--input", tmp.resolve("nope").toString(), "--tokenizer",
                tmp.resolve("nope2").toString(), "--output", tmp.resolve("o1").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("does not exist") && r.err().strip().lines().count() == 1, r.err());

        Path broken = tmp.resolve("broken-tok");
        Files.createDirectories(broken);
        Files.writeString(broken.resolve("vocab.json"), "{\"a\": 0}");
        r = run(new TokenizeJob(), "--input", documents.toString(), "--tokenizer", broken.toString(), "--output",
                tmp.resolve("o2").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("merges.txt") && r.err().contains("does not exist"), r.err());
        Files.writeString(broken.resolve("merges.txt"), "#version: 0.2\n");
        r = run(new TokenizeJob(), "--input", documents.toString(), "--tokenizer", broken.toString(), "--output",
                tmp.resolve("o2").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("vocab.json") && r.err().contains("no token for byte"), r.err());

        // a vocabulary larger than uint16: --export-llmc refuses before any work
        Path big = tmp.resolve("big-tok");
        Files.createDirectories(big);
        Map<String, Integer> vocab = new LinkedHashMap<>();
        BpeTokenizer gptBytes = BpeTokenizer.fromMerges(bytes256(), List.of(), Map.of(BpeTokenizer.END_OF_TEXT,
                70_000), PreTokenizer.GPT2);
        TokenizerFiles.save(gptBytes, big);
        r = run(new TokenizeJob(), "--input", documents.toString(), "--tokenizer", big.toString(), "--output",
                tmp.resolve("o3").toString(), "--export-llmc");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("uint16"), r.err());
        assertTrue(!Files.exists(tmp.resolve("o3")), "nothing written");

        r = run(new TrainTokenizerJob(), "--input", documents.toString(), "--output", tmp.resolve("o4").toString(),
                "--vocab-size", "100");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("vocab size"), r.err());
        r = run(new TrainTokenizerJob(), "--input", documents.toString(), "--output", tmp.resolve("o4").toString(),
                "--vocab-size", "1000", "--pattern", "bogus");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("bogus"), r.err());
    }

    static byte[][] bytes256() {
        byte[][] b = new byte[256][];
        for (int i = 0; i < 256; i++) {
            b[i] = new byte[] {(byte) i};
        }
        return b;
    }

    static Map<String, int[]> readTokens(Path out) {
        Map<String, int[]> got = new TreeMap<>();
        for (String split : List.of("train", "val")) {
            for (Row row : spark.read().parquet(out.resolve("tokens/" + split).toString()).collectAsList()) {
                List<Integer> l = row.getList(row.fieldIndex("tokens"));
                got.put(row.getString(row.fieldIndex("doc_id")), l.stream().mapToInt(Integer::intValue).toArray());
            }
        }
        return got;
    }

    static void checkTokens(Path out, BpeTokenizer tok, double valFraction, boolean llmc) throws IOException {
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        assertTrue(Files.exists(out.resolve("tokens/train/_SUCCESS")));
        assertTrue(Files.exists(out.resolve("tokens/val/_SUCCESS")));
        assertTrue(Files.exists(out.resolve("tokenizer/_SUCCESS")));
        assertEquals(Files.readString(out.resolve("tokenizer/merges.txt")), TokenizerFiles.mergesTxt(tok));
        StructType schema = spark.read().parquet(out.resolve("tokens/train").toString()).schema();
        assertEquals(List.of("doc_id", "n_tokens", "tokens"), List.of(schema.fieldNames()));
        Map<String, Integer> sides = new TreeMap<>();
        List<int[]> valDocs = new ArrayList<>();
        for (String split : List.of("train", "val")) {
            List<Row> rows = spark.read().parquet(out.resolve("tokens/" + split).toString()).orderBy("doc_id")
                    .collectAsList();
            for (Row row : rows) {
                String id = row.getString(0);
                int[] ids = row.getList(2).stream().mapToInt(x -> (Integer) x).toArray();
                assertEquals(ids.length, row.getInt(1));
                assertEquals(tok.eotId(), ids[ids.length - 1], id);
                assertArrayEquals(tok.encodeDocument(docs.get(id)[1]), ids, id);
                assertEquals(TokenSplit.of(id, valFraction), split, id);
                sides.merge(split, 1, Integer::sum);
                if (split.equals("val")) {
                    valDocs.add(ids);
                }
            }
        }
        assertEquals(docs.size(), sides.values().stream().mapToInt(Integer::intValue).sum(), "every non-empty doc");
        assertTrue(sides.getOrDefault("val", 0) > 0 && sides.get("train") > sides.get("val"), sides.toString());
        JsonNode stats = json(out.resolve("stats.json"));
        assertEquals(docs.size() + 2, stats.at("/steps/0/documentsIn").asLong());
        assertEquals(2, stats.at("/steps/0/droppedByReason/empty_text").asLong());
        assertEquals(docs.size(), stats.at("/totals/documents").asLong());
        assertTrue(stats.at("/totals/by_language/zh/bytes_per_token").asDouble() > 0, stats.toString());
        assertTrue(stats.at("/totals/by_language/en/bytes_per_token").asDouble() > 0, stats.toString());
        if (llmc) {
            // the val shards hold the val documents in doc_id order
            List<Integer> expected = new ArrayList<>();
            valDocs.forEach(a -> java.util.Arrays.stream(a).forEach(expected::add));
            List<Integer> actual = new ArrayList<>();
            try (var files = Files.list(out.resolve("llmc"))) {
                for (Path f : files.filter(p -> p.getFileName().toString().startsWith("val_")).sorted().toList()) {
                    ByteBuffer bb = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
                    assertEquals(20240520, bb.getInt(0));
                    assertEquals(1, bb.getInt(4));
                    int n = bb.getInt(8);
                    assertEquals(1024 + 2L * n, Files.size(f));
                    for (int i = 0; i < n; i++) {
                        actual.add(Short.toUnsignedInt(bb.getShort(1024 + 2 * i)));
                    }
                }
            }
            assertEquals(expected, actual);
        }
    }
}
