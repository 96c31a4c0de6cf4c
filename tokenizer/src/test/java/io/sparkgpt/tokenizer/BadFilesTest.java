package io.sparkgpt.tokenizer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Missing or corrupt tokenizer files: an error that names the file and the line. */
class BadFilesTest {
    static BpeTokenizer small;

    @BeforeAll
    static void train() {
        Map<String, Long> counts = new HashMap<>();
        BpeTrainer.countWords(String.join(" ", Corpora.tricky()).repeat(3), PreTokenizer.GPT2, counts);
        small = new BpeTrainer(new BpeTrainer.Config(300, 1, PreTokenizer.GPT2, java.util.List.of(BpeTokenizer.END_OF_TEXT)))
                .train(counts).tokenizer();
    }

    private static String fail(Path dir) {
        return assertThrows(TokenizerFormatException.class, () -> TokenizerFiles.load(dir)).getMessage();
    }

    private static void edit(Path f, String from, String to) throws IOException {
        String s = Files.readString(f, StandardCharsets.UTF_8);
        assertTrue(s.contains(from), from);
        Files.writeString(f, s.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to)),
                StandardCharsets.UTF_8);
    }

    @Test
    void missingFilesAreNamed(@TempDir Path dir) throws IOException {
        String m = fail(dir);
        assertTrue(m.contains("vocab.json") && m.contains("not found"), m);
        TokenizerFiles.save(small, dir);
        Files.delete(dir.resolve("merges.txt"));
        m = fail(dir);
        assertTrue(m.contains("merges.txt") && m.contains("not found"), m);
    }

    @Test
    void corruptVocabNamesTheLine(@TempDir Path dir) throws IOException {
        TokenizerFiles.save(small, dir);
        Path v = dir.resolve("vocab.json");
        Files.writeString(v, "{\n\"a\": 0,\n\"b\": oops\n}", StandardCharsets.UTF_8);
        String m = fail(dir);
        assertTrue(m.contains("vocab.json line 3"), m);
        Files.writeString(v, "{\n\"a\": 0,\n\"b\": \"x\"\n}", StandardCharsets.UTF_8);
        m = fail(dir);
        assertTrue(m.contains("vocab.json line 3") && m.contains("'b'"), m);
        Files.writeString(v, "{\"a\": 0}", StandardCharsets.UTF_8);
        m = fail(dir);
        assertTrue(m.contains("vocab.json") && m.contains("no token for byte"), m);
    }

    @Test
    void corruptMergesNamesTheLine(@TempDir Path dir) throws IOException {
        TokenizerFiles.save(small, dir);
        Path f = dir.resolve("merges.txt");
        String[] lines = Files.readString(f).split("\n");
        // line 3 of the file is the second merge
        edit(f, lines[2] + "\n", "garbage-without-space\n");
        String m = fail(dir);
        assertTrue(m.contains("merges.txt line 3") && m.contains("two tokens"), m);
        TokenizerFiles.save(small, dir);
        edit(f, lines[2] + "\n", "zzqq zzqq\n");
        m = fail(dir);
        assertTrue(m.contains("merges.txt line 3") && m.contains("not in vocab.json"), m);
        TokenizerFiles.save(small, dir);
        edit(f, lines[1] + "\n", "");
        m = fail(dir);
        assertTrue(m.contains("merges.txt line") && m.contains("before a merge"), m);
    }

    @Test
    void corruptTiktokenRanksNameTheLine() {
        String m = assertThrows(TokenizerFormatException.class, () -> BpeTokenizer.fromTiktoken(
                "IQ== 0\nnot base64! x\n", "r.tiktoken", Map.of(), PreTokenizer.GPT2)).getMessage();
        assertTrue(m.contains("r.tiktoken line 2"), m);
    }
}
