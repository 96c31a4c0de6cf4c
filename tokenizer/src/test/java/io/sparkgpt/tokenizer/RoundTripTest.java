package io.sparkgpt.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** decode(encode(x)) == x for text and for arbitrary bytes; lone surrogates, empty input, special tokens. */
class RoundTripTest {
    static BpeTokenizer gpt2;

    @BeforeAll
    static void load() {
        gpt2 = Corpora.gpt2();
    }

    @Test
    void randomByteStringsIncludingInvalidUtf8RoundTrip() {
        Random r = new Random(7);
        int invalid = 0;
        for (int k = 0; k < 20_000; k++) {
            byte[] b = new byte[r.nextInt(64)];
            if (k % 3 == 0) {
                r.nextBytes(b);
            } else {
                // mostly valid UTF-8 with a few broken bytes: truncated sequences, stray continuations, overlongs
                byte[] s = randomText(r, b.length).getBytes(StandardCharsets.UTF_8);
                b = s.clone();
                if (b.length > 0 && k % 2 == 0) {
                    b[r.nextInt(b.length)] = (byte) (0x80 + r.nextInt(0x80));
                }
            }
            if (!java.util.Arrays.equals(b, new String(b, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8))) {
                invalid++;
            }
            byte[] in = b;
            assertArrayEquals(in, gpt2.decodeBytes(gpt2.encodeBytes(in)), () -> java.util.Arrays.toString(in));
        }
        assertEquals(true, invalid > 5000, "invalid inputs tried: " + invalid);
    }

    @Test
    void validUtf8BytesEncodeLikeTheirText() {
        Random r = new Random(3);
        for (int k = 0; k < 5_000; k++) {
            String s = randomText(r, r.nextInt(80));
            assertArrayEquals(gpt2.encode(s), gpt2.encodeBytes(s.getBytes(StandardCharsets.UTF_8)));
            assertEquals(s, gpt2.decode(gpt2.encode(s)));
        }
    }

    @Test
    void specialCasesOfBytes() {
        byte[][] cases = {{}, {(byte) 0xFF}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            {(byte) 0xE4, (byte) 0xB8}, {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}, {'a', (byte) 0x80, 'b'}};
        for (byte[] c : cases) {
            assertArrayEquals(c, gpt2.decodeBytes(gpt2.encodeBytes(c)));
        }
    }

    @Test
    void loneSurrogatesAreEncodedAsReplacementCharacter() {
        String lone = "a\uD800b \uDC00 c\uD83D";
        String replaced = "a\uFFFDb \uFFFD c\uFFFD";
        assertArrayEquals(gpt2.encode(replaced), gpt2.encode(lone));
        assertEquals(replaced, gpt2.decode(gpt2.encode(lone)));
        // a proper pair is one code point
        assertEquals("😀", gpt2.decode(gpt2.encode("\uD83D\uDE00")));
    }

    @Test
    void emptyTextAndEmptyDocument() {
        assertEquals(0, gpt2.encode("").length);
        assertArrayEquals(new int[] {50256}, gpt2.encodeDocument(""));
        assertEquals("", gpt2.decode(new int[0]));
    }

    @Test
    void specialTokensOnlyWhenAsked() {
        String t = "a<|endoftext|>b";
        int[] plain = gpt2.encode(t);
        for (int id : plain) {
            assertEquals(false, id == 50256);
        }
        assertArrayEquals(new int[] {64, 50256, 65}, gpt2.encodeWithSpecialTokens(t));
        assertEquals(t, gpt2.decode(gpt2.encodeWithSpecialTokens(t)));
        assertEquals(50257, gpt2.vocabSize());
        assertEquals(50256, gpt2.eotId());
    }

    @Test
    void decodeRejectsIdsOutsideTheVocabulary() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gpt2.decode(new int[] {1, 50257}));
        assertEquals(true, e.getMessage().contains("50257"));
        assertThrows(IllegalArgumentException.class, () -> gpt2.decode(new int[] {-1}));
    }

    @Test
    void batchEncodeEqualsOneByOne() {
        var texts = Corpora.tricky();
        var batch = gpt2.encodeBatch(texts);
        for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(gpt2.encode(texts.get(i)), batch.get(i));
        }
    }

    @Test
    void charTokenizerRoundTripsAndRejectsUnknownCharacters(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        String text = "First Citizen:\nBefore we proceed any further, hear me speak. 😀";
        CharTokenizer c = CharTokenizer.fromText(text);
        assertEquals(text.codePoints().distinct().count(), c.vocabSize());
        assertEquals(text, c.decode(c.encode(text)));
        assertEquals(-1, c.eotId());
        c.save(dir.resolve("chars.txt"));
        CharTokenizer back = CharTokenizer.load(dir.resolve("chars.txt"));
        assertArrayEquals(c.encode(text), back.encode(text));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.encode("xyz!Q"));
        assertEquals(true, e.getMessage().contains("U+"), e.getMessage());
    }

    static String randomText(Random r, int n) {
        int[][] ranges = {{0x20, 0x7E}, {0x0, 0x1F}, {0x400, 0x4FF}, {0x4E00, 0x9FFF}, {0x3040, 0x30FF},
            {0x1F300, 0x1FAFF}, {0xA0, 0x24F}, {0x600, 0x6FF}};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int[] rg = ranges[r.nextInt(ranges.length)];
            sb.appendCodePoint(rg[0] + r.nextInt(rg[1] - rg[0] + 1));
        }
        return sb.toString();
    }
}
