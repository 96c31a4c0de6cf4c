package io.sparkgpt.tokenizer;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/** The real texts of data/test as (name, text) pairs, and the reference tokenizers from jtokkit. */
final class Corpora {
    private Corpora() {}

    /**
     * data/test: the real texts the repository carries (sources in NOTICE); missing, the test fails. The benchmark
     * (bench/tokenizer/run.sh) passes sparkgpt.shared.data instead: the full corpora they are taken from.
     */
    static Path sharedData() {
        String full = System.getProperty("sparkgpt.shared.data");
        String p = full != null ? full : System.getProperty("sparkgpt.test.data");
        Path dir = p != null ? Path.of(p) : Path.of("../data/test");
        if (!Files.isDirectory(dir.resolve("text"))) {
            throw new IllegalStateException("test data not found at " + dir.toAbsolutePath().normalize()
                    + " (sparkgpt.test.data=" + p + "): it is part of the repository, under data/test");
        }
        return dir;
    }

    /** Every file under text/: plain files as they are, tarballs unpacked in memory (a minimal tar reader). */
    static Map<String, String> textFiles() {
        Map<String, String> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(sharedData().resolve("text"))) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".tar.gz") || name.endsWith(".tgz")) {
                    try (InputStream in = new GZIPInputStream(Files.newInputStream(f), 1 << 16)) {
                        untar(in, name, out);
                    }
                } else {
                    out.put(name, Files.readString(f, StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The payloads of every WARC/WET/WAT file under warc/, decoded as UTF-8 (invalid bytes become U+FFFD). */
    static Map<String, String> warcTexts() {
        Map<String, String> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(sharedData().resolve("warc"))) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                byte[] bytes;
                try (InputStream in = f.toString().endsWith(".gz")
                        ? new GZIPInputStream(Files.newInputStream(f), 1 << 16) : Files.newInputStream(f)) {
                    bytes = in.readAllBytes();
                }
                out.put(f.getFileName().toString(), new String(bytes, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static Map<String, byte[]> warcBytes() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(sharedData().resolve("warc"))) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                try (InputStream in = f.toString().endsWith(".gz")
                        ? new GZIPInputStream(Files.newInputStream(f), 1 << 16) : Files.newInputStream(f)) {
                    out.put(f.getFileName().toString(), in.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Hand-picked hard cases: scripts, emoji (ZWJ sequences, flags, skin tones), controls, contractions. */
    static List<String> tricky() {
        List<String> t = new ArrayList<>();
        t.add("Hello, world! It's 2024; we'll see they're fine, I'm sure you've done it. ITS IT'S 'S");
        t.add("中文分词测试：我们在北京天安门广场。繁體中文與簡體中文。");
        t.add("Съешь же ещё этих мягких французских булок, да выпей чаю.");
        t.add("日本語のテキスト、カタカナとひらがな。東京都。ｶﾀｶﾅ");
        t.add("👩‍👩‍👧‍👦 🇩🇪🇯🇵 👍🏽 😀😃😄 ❤️ 🏳️‍🌈");
        t.add("ctrl\u0000\u0001\u0002\u0007\b\t\u000B\f\r\n\u001B[31mred\u001B[0m\u007F\u0085\u00A0\u2028\u2029\u3000end");
        t.add("   leading and trailing   \n\n\n  \t\t x  \r\n\r\n y \u00A0\u00A0 z   ");
        t.add("numbers 1234567890 ١٢٣ ⅷ ½ ² 12,345.67 3.14159e-10");
        t.add("mixed: naïve café résumé Zürich İstanbul ǅ ß ﬁ e\u0301 a\u0308\u0304");
        t.add("العربية עברית हिन्दी ไทย 한국어 ελληνικά ქართული");
        t.add("code: for (int i = 0; i < n; i++) { x += a[i] * b[i]; } // done\n\tif (x != y) return;");
        t.add("<|endoftext|> is text here, <|fim_prefix|> too");
        t.add("'s 's's ''s ' s 'll've 're 'd 'm 't 'S 'LL ſ 'ſ");
        t.add("");
        t.add(" ");
        t.add("\n");
        t.add("a");
        t.add("𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟙𝟚𝟛 𐍈 🜀");
        return t;
    }

    static Encoding jtokkitR50k() {
        return Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE);
    }

    static Encoding jtokkitCl100k() {
        return Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
    }

    static String resource(String name) {
        try (InputStream in = Encodings.class.getResourceAsStream("/com/knuddels/jtokkit/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** GPT-2 (r50k_base) from the ranks jtokkit ships, in tiktoken (ranks) mode. */
    static BpeTokenizer gpt2() {
        return BpeTokenizer.fromTiktoken(resource("r50k_base.tiktoken"), "r50k_base.tiktoken",
                BpeTokenizer.gpt2Specials(), PreTokenizer.GPT2);
    }

    static BpeTokenizer cl100k() {
        return BpeTokenizer.fromTiktoken(resource("cl100k_base.tiktoken"), "cl100k_base.tiktoken",
                Map.of("<|endoftext|>", 100257, "<|fim_prefix|>", 100258, "<|fim_middle|>", 100259,
                        "<|fim_suffix|>", 100260, "<|endofprompt|>", 100276), PreTokenizer.CL100K);
    }

    private static void untar(InputStream in, String archive, Map<String, String> out) throws IOException {
        byte[] header = new byte[512];
        while (readFully(in, header)) {
            if (header[0] == 0) {
                break;
            }
            String name = cString(header, 0, 100);
            String prefix = cString(header, 345, 155);
            long size = Long.parseLong(cString(header, 124, 12).trim().isEmpty() ? "0"
                    : cString(header, 124, 12).trim(), 8);
            byte type = header[156];
            ByteArrayOutputStream data = new ByteArrayOutputStream((int) size);
            byte[] block = new byte[512];
            for (long left = size; left > 0; left -= 512) {
                if (!readFully(in, block)) {
                    throw new IOException(archive + ": truncated");
                }
                data.write(block, 0, (int) Math.min(512, left));
            }
            if (type == '0' || type == 0) {
                String full = prefix.isEmpty() ? name : prefix + "/" + name;
                out.put(archive + "!" + full, data.toString(StandardCharsets.UTF_8));
            }
        }
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static boolean readFully(InputStream in, byte[] b) throws IOException {
        int n = in.readNBytes(b, 0, b.length);
        return n == b.length;
    }
}
