package io.sparkgpt.model.posttrain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Figures checked by hand on a small confusion matrix. */
class ClassificationTest {
    @Test
    void perClassMacroAndConfusion() {
        // reference: a a a b b c ; predicted: a a b b c x
        Classification.Report r = Classification.of(List.of("a", "a", "a", "b", "b", "c"),
                List.of("a", "a", "b", "b", "c", "x"));
        assertEquals(6, r.n());
        assertEquals(3.0 / 6, r.accuracy(), 1e-12);
        Classification.ClassFigures a = r.perClass().get(0);
        assertEquals("a", a.label());
        assertEquals(1.0, a.precision(), 1e-12);       // 2 predicted a, both right
        assertEquals(2.0 / 3, a.recall(), 1e-12);      // 3 true a, 2 found
        assertEquals(0.8, a.f1(), 1e-12);
        Classification.ClassFigures b = r.perClass().get(1);
        assertEquals(0.5, b.precision(), 1e-12);       // predicted b twice, once right
        assertEquals(0.5, b.recall(), 1e-12);
        Classification.ClassFigures c = r.perClass().get(2);
        assertEquals(0.0, c.precision(), 1e-12);
        assertEquals(0.0, c.f1(), 1e-12);
        assertEquals((1.0 + 0.5 + 0) / 3, r.macroPrecision(), 1e-12);
        assertEquals((0.8 + 0.5 + 0) / 3, r.macroF1(), 1e-12);
        assertEquals(1L, r.confusion().get("c").get(Classification.OTHER));
        assertEquals(1L, r.confusion().get("a").get("b"));
        assertEquals(2L, r.confusion().get("a").get("a"));
    }
}
