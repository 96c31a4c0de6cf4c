package io.sparkgpt.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The files of a BPE tokenizer folder:
 * <ul>
 *   <li>{@code vocab.json}: {@code {"<byte-level token>": id, ...}} in id order, GPT-2's {@code encoder.json}
 *       format; special tokens are written as their text;</li>
 *   <li>{@code merges.txt}: {@code #version: 0.2} then one merge per line, {@code <left> <right>} in byte-level
 *       characters, in rank order (GPT-2's {@code vocab.bpe});</li>
 *   <li>{@code tokenizer.json}: the same vocabulary and merges as Python's HF {@code tokenizers} loads them
 *       ({@code Tokenizer.from_file}): BPE model, ByteLevel pre-tokenizer and decoder, special tokens as
 *       {@code added_tokens}; the cl100k pattern as a Split pre-tokenizer before ByteLevel.</li>
 * </ul>
 * A vocab entry that is neither one of the 256 bytes nor the result of a merge is a special token. The
 * pre-tokenization pattern is read from {@code tokenizer.json} when it is there (GPT-2's otherwise).
 */
public final class TokenizerFiles {
    public static final String VOCAB = "vocab.json";
    public static final String MERGES = "merges.txt";
    public static final String TOKENIZER_JSON = "tokenizer.json";
    public static final List<String> ALL = List.of(VOCAB, MERGES, TOKENIZER_JSON);

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TokenizerFiles() {}

    // ------------------------------------------------------------------------------------------ write

    public static void save(BpeTokenizer t, Path dir) {
        try {
            Files.createDirectories(dir);
            for (Map.Entry<String, String> f : render(t).entrySet()) {
                Path tmp = dir.resolve("._tmp_" + f.getKey());
                Files.writeString(tmp, f.getValue(), StandardCharsets.UTF_8);
                Files.move(tmp, dir.resolve(f.getKey()), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write tokenizer files to " + dir, e);
        }
    }

    /** File name -> content of the three files (for writers on other file systems, e.g. Hadoop's). */
    public static Map<String, String> render(BpeTokenizer t) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put(VOCAB, vocabJson(t));
        files.put(MERGES, mergesTxt(t));
        files.put(TOKENIZER_JSON, tokenizerJson(t));
        return files;
    }

    private static String tokenString(BpeTokenizer t, int id) {
        byte[] b = t.tokenBytes(id);
        return t.isSpecial(id) ? new String(b, StandardCharsets.UTF_8) : ByteLevel.encode(b);
    }

    private static ObjectNode vocabNode(BpeTokenizer t) {
        ObjectNode v = MAPPER.createObjectNode();
        for (int id = 0; id < t.vocabSize(); id++) {
            if (t.tokenBytes(id) != null) {
                v.put(tokenString(t, id), id);
            }
        }
        return v;
    }

    public static String vocabJson(BpeTokenizer t) {
        try {
            return MAPPER.writeValueAsString(vocabNode(t));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String mergesTxt(BpeTokenizer t) {
        StringBuilder sb = new StringBuilder("#version: 0.2\n");
        for (int[] m : t.mergeList()) {
            sb.append(tokenString(t, m[0])).append(' ').append(tokenString(t, m[1])).append('\n');
        }
        return sb.toString();
    }

    public static String tokenizerJson(BpeTokenizer t) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (Map.Entry<String, Integer> e : t.specialTokens().entrySet()) {
            ObjectNode a = added.addObject();
            a.put("id", e.getValue());
            a.put("content", e.getKey());
            a.put("single_word", false);
            a.put("lstrip", false);
            a.put("rstrip", false);
            a.put("normalized", false);
            a.put("special", true);
        }
        root.putNull("normalizer");
        if (t.preTokenizer() == PreTokenizer.GPT2) {
            root.set("pre_tokenizer", byteLevel(true));
        } else {
            ObjectNode seq = MAPPER.createObjectNode();
            seq.put("type", "Sequence");
            ArrayNode list = seq.putArray("pretokenizers");
            ObjectNode split = list.addObject();
            split.put("type", "Split");
            split.putObject("pattern").put("Regex", t.preTokenizer().regex());
            split.put("behavior", "Isolated");
            split.put("invert", false);
            list.add(byteLevel(false));
            root.set("pre_tokenizer", seq);
        }
        root.set("post_processor", byteLevel(true).put("trim_offsets", false));
        root.set("decoder", byteLevel(true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.set("vocab", vocabNode(t));
        ArrayNode merges = model.putArray("merges");
        for (int[] m : t.mergeList()) {
            merges.add(tokenString(t, m[0]) + " " + tokenString(t, m[1]));
        }
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode byteLevel(boolean useRegex) {
        ObjectNode b = MAPPER.createObjectNode();
        b.put("type", "ByteLevel");
        b.put("add_prefix_space", false);
        b.put("trim_offsets", true);
        b.put("use_regex", useRegex);
        return b;
    }

    // ------------------------------------------------------------------------------------------ read

    /** Loads {@code dir/vocab.json} + {@code dir/merges.txt} (+ the pattern from tokenizer.json if present). */
    public static BpeTokenizer load(Path dir) {
        String vocab = read(dir.resolve(VOCAB));
        String merges = read(dir.resolve(MERGES));
        Path tj = dir.resolve(TOKENIZER_JSON);
        String tokJson = Files.exists(tj) ? read(tj) : null;
        return fromStrings(vocab, merges, tokJson, dir.toString());
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new TokenizerFormatException(p + ": file not found");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new TokenizerFormatException(p + ": not UTF-8 text", e);
        } catch (IOException e) {
            throw new TokenizerFormatException(p + ": cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * Builds the tokenizer from the files' contents; {@code dir} names them in errors. {@code tokenizerJson} may be
     * null (GPT-2 pattern then).
     */
    public static BpeTokenizer fromStrings(String vocabJson, String mergesTxt, String tokenizerJson, String dir) {
        String vocabName = dir + "/" + VOCAB;
        String mergesName = dir + "/" + MERGES;
        Map<String, Integer> vocab = parseVocab(vocabJson, vocabName);
        int size = 0;
        for (int id : vocab.values()) {
            size = Math.max(size, id + 1);
        }
        String[] byId = new String[size];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            if (byId[e.getValue()] != null) {
                throw new TokenizerFormatException(vocabName + ": id " + e.getValue() + " is given to both '"
                        + byId[e.getValue()] + "' and '" + e.getKey() + "'");
            }
            byId[e.getValue()] = e.getKey();
        }
        Set<String> reachable = new HashSet<>();
        for (int b = 0; b < 256; b++) {
            String s = ByteLevel.encode(new byte[] {(byte) b});
            if (!vocab.containsKey(s)) {
                throw new TokenizerFormatException(vocabName + ": no token for byte 0x" + Integer.toHexString(b)
                        + " ('" + s + "'): a byte-level vocabulary needs all 256 bytes");
            }
            reachable.add(s);
        }
        List<int[]> merges = new ArrayList<>();
        String[] lines = mergesTxt.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (line.isEmpty() || (i == 0 && line.startsWith("#version"))) {
                continue;
            }
            String where = mergesName + " line " + (i + 1);
            int sp = line.indexOf(' ');
            if (sp <= 0 || sp == line.length() - 1 || line.indexOf(' ', sp + 1) >= 0) {
                throw new TokenizerFormatException(where + ": expected two tokens separated by one space, got '"
                        + abbreviate(line) + "'");
            }
            String l = line.substring(0, sp);
            String r = line.substring(sp + 1);
            Integer li = vocab.get(l);
            Integer ri = vocab.get(r);
            if (li == null || ri == null) {
                throw new TokenizerFormatException(where + ": token '" + (li == null ? l : r)
                        + "' is not in " + VOCAB);
            }
            if (!reachable.contains(l) || !reachable.contains(r)) {
                throw new TokenizerFormatException(where + ": token '" + (!reachable.contains(l) ? l : r)
                        + "' is used before a merge (or the 256 bytes) makes it");
            }
            if (!vocab.containsKey(l + r)) {
                throw new TokenizerFormatException(where + ": the merged token '" + abbreviate(l + r)
                        + "' is not in " + VOCAB);
            }
            reachable.add(l + r);
            merges.add(new int[] {li, ri});
        }
        Map<String, Integer> specials = new LinkedHashMap<>();
        byte[][] tokens = new byte[size][];
        for (int id = 0; id < size; id++) {
            String s = byId[id];
            if (s == null) {
                continue; // an unused id
            }
            if (reachable.contains(s)) {
                tokens[id] = ByteLevel.decode(s);
            } else {
                specials.put(s, id);
            }
        }
        PreTokenizer pre = tokenizerJson == null ? PreTokenizer.GPT2 : patternOf(tokenizerJson, dir);
        try {
            return BpeTokenizer.fromMerges(tokens, merges, specials, pre);
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(dir + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Integer> parseVocab(String json, String name) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new TokenizerFormatException(name + " line " + p.currentLocation().getLineNr()
                        + ": expected a JSON object {\"token\": id, ...}");
            }
            JsonToken tok;
            while ((tok = p.nextToken()) == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonToken v = p.nextToken();
                if (v != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 0 || p.getLongValue() > 10_000_000) {
                    throw new TokenizerFormatException(name + " line " + p.currentLocation().getLineNr()
                            + ": the id of '" + abbreviate(key) + "' must be an integer in 0..10000000, got "
                            + abbreviate(p.getText()));
                }
                if (vocab.put(key, p.getIntValue()) != null) {
                    throw new TokenizerFormatException(name + " line " + p.currentLocation().getLineNr()
                            + ": token '" + abbreviate(key) + "' appears twice");
                }
            }
            if (tok != JsonToken.END_OBJECT) {
                throw new TokenizerFormatException(name + " line " + p.currentLocation().getLineNr()
                        + ": expected a token or '}'");
            }
        } catch (JsonParseException e) {
            throw new TokenizerFormatException(name + " line " + e.getLocation().getLineNr() + ": not valid JSON: "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new TokenizerFormatException(name + ": cannot be parsed: " + e.getMessage(), e);
        }
        if (vocab.isEmpty()) {
            throw new TokenizerFormatException(name + ": empty vocabulary");
        }
        return vocab;
    }

    private static PreTokenizer patternOf(String tokenizerJson, String dir) {
        JsonNode root;
        try {
            root = MAPPER.readTree(tokenizerJson);
        } catch (JsonParseException e) {
            throw new TokenizerFormatException(dir + "/" + TOKENIZER_JSON + " line " + e.getLocation().getLineNr()
                    + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new TokenizerFormatException(dir + "/" + TOKENIZER_JSON + ": " + e.getMessage(), e);
        }
        for (JsonNode n : root.findValues("Regex")) {
            for (PreTokenizer p : PreTokenizer.values()) {
                if (p.regex().equals(n.asText())) {
                    return p;
                }
            }
            throw new TokenizerFormatException(dir + "/" + TOKENIZER_JSON + ": unsupported Split pattern '"
                    + abbreviate(n.asText()) + "' (only the gpt2 and cl100k patterns are implemented)");
        }
        return PreTokenizer.GPT2;
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
