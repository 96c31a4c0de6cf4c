package io.sparkgpt.pipeline.dedup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ShinglerTest {
    final Shingler sh = new Shingler(5, 5);

    @Test
    void wordShinglesIgnoreCaseAndPunctuation() {
        assertArrayEquals(sh.shingles("The quick brown fox jumps over", "en"),
                sh.shingles("the QUICK, brown fox -- jumps over!", "en"));
        assertEquals(2, sh.shingles("the quick brown fox jumps over", "en").length);
        assertEquals(1, sh.shingles("too short", "en").length, "short texts get one shingle");
        assertEquals(0, sh.shingles("", "en").length);
        assertEquals(0, sh.shingles("  ... ", "en").length);
    }

    @Test
    void scriptDecidesWhenLanguageIsMissing() {
        assertTrue(Shingler.charMode("关关雎鸠，在河之洲。窈窕淑女，君子好逑。", null));
        assertTrue(Shingler.charMode("関東の天気は晴れです。", "und"));
        assertTrue(Shingler.charMode("anything", "zh-Hant"));
        assertTrue(Shingler.charMode("anything", "ja"));
        assertFalse(Shingler.charMode("关关雎鸠", "en"), "a language label wins over the script");
        assertFalse(Shingler.charMode("plain English words", null));
        // 18 letters: 4 Han, 14 Latin -> 22% < 30%
        assertFalse(Shingler.charMode("the word for river 河 is used in 河之洲 here", null));
    }

    @Test
    void characterShinglesSkipPunctuation() {
        long[] a = sh.shingles("关关雎鸠，在河之洲。", "zh");
        long[] b = sh.shingles("关关雎鸠在河之洲", "zh");
        assertArrayEquals(a, b);
        assertEquals(4, a.length);
    }

    @Test
    void minHashEstimatesJaccard() {
        SplittableRandom r = new SplittableRandom(1);
        MinHasher mh = new MinHasher(32, 8, 42);
        for (double target : new double[] {0.2, 0.5, 0.8}) {
            // two sets sharing `common` of `total` elements
            int total = 4000;
            int common = (int) Math.round(total * target);
            long[] x = new long[common + (total - common) / 2];
            long[] y = new long[x.length];
            for (int i = 0; i < common; i++) {
                x[i] = y[i] = r.nextLong();
            }
            for (int i = common; i < x.length; i++) {
                x[i] = r.nextLong();
                y[i] = r.nextLong();
            }
            Arrays.sort(x);
            Arrays.sort(y);
            double exact = Shingler.jaccard(x, y);
            double est = MinHasher.estimate(mh.signature(x), mh.signature(y));
            assertEquals(exact, est, 0.08, "estimate of " + exact);
        }
        assertArrayEquals(mh.signature(new long[] {1, 2, 3}), new MinHasher(32, 8, 42).signature(new long[] {1, 2, 3}),
                "the seed fixes the signature");
    }

    @Test
    void sCurveMatchesTheDocumentedDefaults() {
        DedupConfig c = DedupConfig.defaults();
        assertEquals(100, c.numPerm());
        assertEquals(0.549, c.lshThreshold(), 0.001);
        assertEquals(0.975, c.candidateProbability(0.7), 0.001);
        assertEquals(0.9996, c.candidateProbability(0.8), 0.0001);
    }
}
