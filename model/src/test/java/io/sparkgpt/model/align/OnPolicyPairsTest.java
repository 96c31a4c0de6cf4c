package io.sparkgpt.model.align;

import static org.junit.jupiter.api.Assertions.*;

import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** On-policy pairs from a tiny random GPT and a toy checker ("the answer's first token is even"). */
class OnPolicyPairsTest {
    static final GPTConfig CFG = new GPTConfig(16, 16, 1, 2, 16, 0.0, true, true);
    static final RewardSource EVEN_FIRST = (prompts, responses) ->
            responses.stream().mapToDouble(r -> r.length > 0 && r[0] % 2 == 0 ? 1 : 0).toArray();

    static List<int[]> prompts(int n) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new int[] {1 + i % 13, 2 + i % 11, 3});
        }
        return out;
    }

    static OnPolicyPairs.Result build(GPT g, List<int[]> ps, int from, int to, RewardSource checker) {
        return build(g, ps, from, to, checker, new OnPolicyPairs.Config(4, 3, 1.0, 15, 5));
    }

    static OnPolicyPairs.Result build(GPT g, List<int[]> ps, int from, int to, RewardSource checker,
                                      OnPolicyPairs.Config c) {
        List<int[]> sub = ps.subList(from, to);
        List<String> origins = new ArrayList<>();
        List<int[]> ref = new ArrayList<>();
        long[] index = new long[sub.size()];
        for (int i = 0; i < sub.size(); i++) {
            origins.add("toy:" + (from + i));
            ref.add(new int[] {4, 15}); // a right answer (4 is even) ending with the stop token
            index[i] = from + i;
        }
        return OnPolicyPairs.build(g, origins, sub, ref, index, checker, c);
    }

    @Test
    void pairsARightAnswerWithAWrongOneTheModelDrew() {
        try (GPT g = GPT.create(CFG, 3)) {
            List<int[]> ps = prompts(40);
            OnPolicyPairs.Result r = build(g, ps, 0, ps.size(), EVEN_FIRST);
            assertEquals(40, r.allRight() + r.allWrong() + r.mixed());
            assertEquals(r.allWrong() + r.mixed(), r.pairs().size());
            assertEquals(160, r.drawn());
            assertTrue(r.mixed() > 0, "a random model's first token is even about half the time: " + r);
            int fromReference = 0;
            for (PreferenceTokens p : r.pairs()) {
                int i = Integer.parseInt(p.origin().substring(4));
                assertArrayEquals(ps.get(i), Arrays.copyOf(p.chosen().ids(), p.chosen().responseStart()));
                assertArrayEquals(ps.get(i), Arrays.copyOf(p.rejected().ids(), p.rejected().responseStart()));
                assertEquals(0, p.chosen().ids()[p.chosen().responseStart()] % 2, "chosen is right");
                assertEquals(1, p.rejected().ids()[p.rejected().responseStart()] % 2, "rejected is wrong");
                assertTrue(p.rejected().responseLength() <= 3);
                if (Arrays.equals(new int[] {4, 15}, Arrays.copyOfRange(p.chosen().ids(),
                        p.chosen().responseStart(), p.chosen().length()))) {
                    fromReference++;
                }
            }
            assertTrue(fromReference >= r.allWrong());
            // the same pairs whatever the split of the prompts between machines
            OnPolicyPairs.Result a = build(g, ps, 0, 17, EVEN_FIRST), b = build(g, ps, 17, 40, EVEN_FIRST);
            List<PreferenceTokens> both = new ArrayList<>(a.pairs());
            both.addAll(b.pairs());
            assertEquals(r.pairs(), both);
            assertEquals(r.right(), a.right() + b.right());
        }
    }

    /**
     * {@code eachWrong}: a pair for every distinct wrong answer of a prompt (the same draws, so the first-wrong pairs
     * are among them and no rejected answer repeats within a prompt); {@code mixedOnly}: none from a prompt never
     * answered right.
     */
    @Test
    void eachWrongPairsEveryDistinctErrorAndMixedOnlyDropsNeverRightPrompts() {
        try (GPT g = GPT.create(CFG, 3)) {
            List<int[]> ps = prompts(40);
            OnPolicyPairs.Result first = build(g, ps, 0, 40, EVEN_FIRST);
            OnPolicyPairs.Result each = build(g, ps, 0, 40, EVEN_FIRST,
                    new OnPolicyPairs.Config(4, 3, 1.0, 15, 5, true, false));
            assertEquals(first.right(), each.right());
            assertEquals(first.allWrong(), each.allWrong());
            assertEquals(first.mixed(), each.mixed());
            assertEquals(each.pairs().size(), each.pairCount());
            assertTrue(each.pairs().size() > first.pairs().size(), "a random model repeats few errors: " + each);
            assertTrue(each.pairs().containsAll(first.pairs()));
            java.util.Map<String, List<List<Integer>>> rejectedByPrompt = new java.util.HashMap<>();
            for (PreferenceTokens p : each.pairs()) {
                assertEquals(0, p.chosen().ids()[p.chosen().responseStart()] % 2, "chosen is right");
                List<Integer> r = Arrays.stream(Arrays.copyOfRange(p.rejected().ids(), p.rejected().responseStart(),
                        p.rejected().length())).boxed().toList();
                List<List<Integer>> seen = rejectedByPrompt.computeIfAbsent(p.origin(), k -> new ArrayList<>());
                assertFalse(seen.contains(r), "a repeated wrong answer at " + p.origin());
                seen.add(r);
            }
            assertTrue(rejectedByPrompt.values().stream().allMatch(v -> v.size() <= 4));

            OnPolicyPairs.Result mixedOnly = build(g, ps, 0, 40, EVEN_FIRST,
                    new OnPolicyPairs.Config(4, 3, 1.0, 15, 5, false, true));
            assertTrue(first.allWrong() > 0, "some prompt is never right: " + first);
            assertEquals(first.allWrong(), mixedOnly.allWrong(), "still counted");
            assertEquals(first.mixed(), mixedOnly.pairs().size());
            java.util.Set<String> neverRight = new java.util.HashSet<>();
            first.pairs().forEach(p -> neverRight.add(p.origin()));
            mixedOnly.pairs().forEach(p -> neverRight.remove(p.origin()));
            assertEquals(first.allWrong(), neverRight.size());
            for (PreferenceTokens p : mixedOnly.pairs()) {
                assertTrue(first.pairs().contains(p));
            }
        }
    }

    @Test
    void allRightGivesNoPairAndAllWrongFallsBackToTheReference() {
        try (GPT g = GPT.create(CFG, 4)) {
            List<int[]> ps = prompts(6);
            OnPolicyPairs.Result right = build(g, ps, 0, 6, (p, rs) -> rs.stream().mapToDouble(x -> 1).toArray());
            assertEquals(6, right.allRight());
            assertTrue(right.pairs().isEmpty());
            assertEquals(1.0, right.rightShare());
            OnPolicyPairs.Result wrong = build(g, ps, 0, 6, (p, rs) -> new double[rs.size()]);
            assertEquals(6, wrong.allWrong());
            assertEquals(0.0, wrong.rightShare());
            for (PreferenceTokens p : wrong.pairs()) {
                assertArrayEquals(new int[] {4, 15}, Arrays.copyOfRange(p.chosen().ids(), p.chosen().responseStart(),
                        p.chosen().length()));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new OnPolicyPairs.Config(1, 3, 1.0, 15, 5));
        assertThrows(IllegalArgumentException.class, () -> new OnPolicyPairs.Config(4, 3, 0.0, 15, 5));
    }
}
