package io.sparkgpt.pipeline.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SpreadSampleTest {
    @Test
    void aShortTextIsReadWhole() {
        assertEquals(List.of("kurz"), SpreadSample.pieces("kurz", 1000, 5));
        String exact = "x".repeat(1000);
        assertEquals(List.of(exact), SpreadSample.pieces(exact, 1000, 5));
    }

    @Test
    void piecesComeFromEveryPartOfTheTextInOrder() {
        // 40 paragraphs, each naming its number: piece k must come from the k-th fifth of the page
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            b.append(("p" + i + " ").repeat(60)).append('\n');
        }
        String text = b.toString();
        List<String> pieces = SpreadSample.pieces(text, 1000, 5);
        assertEquals(5, pieces.size());
        int total = 0;
        int last = -1;
        for (int k = 0; k < 5; k++) {
            String piece = pieces.get(k);
            total += piece.length();
            int at = text.indexOf(piece);
            assertTrue(at > last, "in order: " + k);
            last = at;
            assertTrue(at >= k * text.length() / 5 && at < (k + 1) * text.length() / 5, k + " starts at " + at);
            assertTrue(piece.length() <= 200 && piece.length() >= 100, piece);
        }
        assertTrue(total <= 1000, "no more than one sample's characters: " + total);
    }

    @Test
    void piecesStartAtAWordOrLineAndEndAfterAWord() {
        Random r = new Random(7);
        StringBuilder b = new StringBuilder();
        while (b.length() < 20_000) {
            b.append("abcdefghij", 0, 1 + r.nextInt(10)).append(r.nextInt(12) == 0 ? '\n' : ' ');
        }
        String text = b.toString();
        for (String piece : SpreadSample.pieces(text, 1000, 5)) {
            int at = text.indexOf(piece);
            char before = at == 0 ? '\n' : text.charAt(at - 1);
            assertTrue(before == ' ' || before == '\n', "starts at a word: '" + piece + "'");
            int end = at + piece.length();
            assertTrue(end == text.length() || text.charAt(end) == ' ' || text.charAt(end) == '\n',
                    "ends after a word: '" + piece + "'");
        }
    }

    @Test
    void oneLongLineIsSpreadToo() {
        String text = "a ".repeat(2000) + "b ".repeat(2000) + "c ".repeat(2000);
        List<String> pieces = SpreadSample.pieces(text, 600, 3);
        assertEquals(List.of('a', 'b', 'c'), pieces.stream().map(p -> p.charAt(0)).toList());
    }

    @Test
    void aTextWithoutSpacesIsCutWhereThePiecesFall() {
        // Chinese has no spaces and the page may be one line: the pieces are cut at their centres' distance
        String text = "人人生而自由在尊严和权利上一律平等".repeat(200);
        List<String> pieces = SpreadSample.pieces(text, 1000, 5);
        assertEquals(5, pieces.size());
        for (int k = 0; k < 5; k++) {
            assertEquals(200, pieces.get(k).length());
        }
    }
}
