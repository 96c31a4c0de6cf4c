package io.sparkgpt.pipeline.dedup;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.common.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Test data for the dedup tests: real texts from data/test and documents rows of the contract's schema. */
final class DedupFixtures {
    static final StructType DOCUMENTS = new StructType()
            .add("id", DataTypes.StringType)
            .add("url", DataTypes.StringType)
            .add("source", DataTypes.StringType)
            .add("fetch_time", DataTypes.TimestampType)
            .add("language", DataTypes.StringType)
            .add("language_score", DataTypes.DoubleType)
            .add("text", DataTypes.StringType)
            .add("signals", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType));

    record Doc(String id, String url, long fetchMillis, String language, String text) {}

    private DedupFixtures() {}

    static SparkSession spark() {
        SparkSession s = SparkSession.builder().master("local[2]").appName("dedup-test")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .getOrCreate();
        s.sparkContext().setLogLevel("WARN");
        return s;
    }

    static Path shared() {
        return io.sparkgpt.pipeline.TestData.shared();
    }

    static Dataset<Row> documents(SparkSession spark, List<Doc> docs) {
        List<Row> rows = new ArrayList<>(docs.size());
        for (Doc d : docs) {
            Map<String, Double> signals = new HashMap<>();
            signals.put("len", (double) d.text().length());
            rows.add(RowFactory.create(d.id(), d.url(), "test:" + d.id(), new Timestamp(d.fetchMillis()),
                    d.language(), 0.99, d.text(), scala.collection.JavaConverters.mapAsScalaMap(signals)
                            .toMap(scala.Predef.$conforms())));
        }
        return spark.createDataFrame(rows, DOCUMENTS);
    }

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            // some editions are Latin-1
            try {
                return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
            } catch (IOException e2) {
                throw new UncheckedIOException(e2);
            }
        }
    }

    /** Consecutive non-overlapping chunks of {@code words} words of a text. */
    static List<String> chunks(String text, int words) {
        String[] w = text.trim().split("\\s+");
        List<String> out = new ArrayList<>();
        for (int i = 0; i + words <= w.length; i += words) {
            out.add(String.join(" ", java.util.Arrays.copyOfRange(w, i, i + words)));
        }
        return out;
    }

    /**
     * A copy of {@code text} with word-level edits: each word is replaced with probability {@code sub}, deleted
     * with probability {@code del}, and a random word is inserted after it with probability {@code ins}.
     */
    static String edit(String text, double sub, double del, double ins, String[] vocab, SplittableRandom r) {
        String[] w = text.split(" ");
        StringBuilder b = new StringBuilder(text.length() + 16);
        for (String word : w) {
            double x = r.nextDouble();
            if (x < del) {
                continue;
            }
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(x < del + sub ? vocab[r.nextInt(vocab.length)] : word);
            if (r.nextDouble() < ins) {
                b.append(' ').append(vocab[r.nextInt(vocab.length)]);
            }
        }
        return b.toString();
    }

    /** Entries of a (gzipped) tar: name -> bytes. Hard links resolve to their target's bytes. */
    static Map<String, byte[]> tar(Path gz) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            byte[] hdr = new byte[512];
            while (in.readNBytes(hdr, 0, 512) == 512) {
                if (hdr[0] == 0) {
                    break;
                }
                String name = cstr(hdr, 0, 100);
                String prefix = cstr(hdr, 345, 155);
                if (!prefix.isEmpty()) {
                    name = prefix + "/" + name;
                }
                long size = Long.parseLong(cstr(hdr, 124, 12).trim().isEmpty() ? "0" : cstr(hdr, 124, 12).trim(),
                        8);
                char type = (char) hdr[156];
                byte[] data = in.readNBytes((int) size);
                long pad = (512 - size % 512) % 512;
                in.readNBytes((int) pad);
                if (type == '1') {
                    out.put(name, out.get(cstr(hdr, 157, 100)));
                } else if (type == '0' || type == 0) {
                    out.put(name, data);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + gz, e);
        }
        return out;
    }

    private static String cstr(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    /** Song ci and Book of Songs poems from the chinese-poetry subset, each poem's lines joined. */
    static List<String> chinesePoems(int max) {
        Map<String, byte[]> files = tar(shared().resolve("text/zh/chinese-poetry-2.0.1-shijing-songci7000.tar.gz"));
        List<String> poems = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            if (!e.getKey().contains("songci/ci.song") && !e.getKey().contains("shijing")) {
                continue;
            }
            JsonNode arr;
            try {
                arr = Json.mapper().readTree(e.getValue());
            } catch (IOException ex) {
                throw new UncheckedIOException(e.getKey(), ex);
            }
            for (JsonNode p : arr) {
                JsonNode lines = p.has("paragraphs") ? p.get("paragraphs") : p.get("content");
                if (lines == null) {
                    continue;
                }
                StringBuilder b = new StringBuilder();
                lines.forEach(l -> b.append(l.asText()));
                if (b.length() >= 40 && b.indexOf("□") < 0) {
                    poems.add(b.toString());
                }
                if (poems.size() >= max) {
                    return poems;
                }
            }
        }
        return poems;
    }

    /** Brute-force exact Jaccard of all pairs (sorted distinct shingle arrays); pairs >= {@code min} as i*n+j. */
    static Map<Long, Double> bruteForcePairs(List<long[]> sets, double min) {
        Map<Long, Double> out = new HashMap<>();
        int n = sets.size();
        for (int i = 0; i < n; i++) {
            long[] a = sets.get(i);
            for (int j = i + 1; j < n; j++) {
                long[] b = sets.get(j);
                int la = a.length;
                int lb = b.length;
                // size filter: J <= min(la,lb)/max(la,lb)
                if (Math.min(la, lb) < min * Math.max(la, lb)) {
                    continue;
                }
                double s = Shingler.jaccard(a, b);
                if (s >= min) {
                    out.put((long) i * n + j, s);
                }
            }
        }
        return out;
    }

    static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        in.transferTo(o);
        return o.toByteArray();
    }
}
