package io.sparkgpt.model.posttrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.model.CrossEntropyLoss;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.BpeTrainer;
import io.sparkgpt.tokenizer.PreTokenizer;
import io.sparkgpt.tokenizer.chat.BadRecords;
import io.sparkgpt.tokenizer.chat.ChatExample;
import io.sparkgpt.tokenizer.chat.ChatMessage;
import io.sparkgpt.tokenizer.chat.ChatTemplate;
import io.sparkgpt.tokenizer.chat.ChatTokens;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SFT rows: the assistant-only mask token by token, its effect on loss and gradient, padding, packing, length. */
class SftDataTest {
    static final BpeTokenizer TOK = ChatTokens.addTo(new BpeTrainer(BpeTrainer.Config.of(300, PreTokenizer.GPT2))
            .train(BpeTrainer.countWords(List.of("what is 12 + 34? it is 46. the cat sat. ".repeat(30)),
                    PreTokenizer.GPT2)).tokenizer());
    static final ChatTemplate T = new ChatTemplate(TOK);

    static ChatExample ex(String origin, String q, String a) {
        return new ChatExample(origin, List.of(ChatMessage.system("be brief"), ChatMessage.user(q),
                ChatMessage.assistant(a)), 0);
    }

    @Test
    void targetsAreTheAssistantTokensOnlyTokenByToken() {
        ChatExample e = ex("f:1", "what is 12 + 34?", "it is 46.");
        ChatTemplate.Rendered r = T.render(e);
        SftRow row = SftData.row("f:1", r.ids(), r.target());
        int[] answer = TOK.encode("it is 46.");
        int firstAnswer = r.ids().length - 1 - answer.length; // position of the answer's first token in ids
        for (int t = 0; t < row.length(); t++) {
            assertEquals(r.ids()[t], row.x()[t]);
            int next = t + 1;
            boolean assistant = next >= firstAnswer; // answer tokens and the final <|end|>
            assertEquals(assistant ? r.ids()[next] : -1, row.y()[t], "position " + t);
        }
        assertEquals(answer.length + 1, row.targets());
        assertEquals(T.stopToken(), row.y()[row.length() - 1], "the model learns to end its turn");
    }

    @Test
    void theLossAndItsGradientComeFromAssistantTokensOnly() {
        GPT gpt = GPT.create(new GPTConfig(TOK.vocabSize(), 48, 1, 2, 16, 0, false, true), 3);
        ChatTemplate.Rendered r = T.render(ex("f:1", "what is 12 + 34?", "it is 46."));
        SftRow row = SftData.row("f:1", r.ids(), r.target());
        int[][] x = {row.x()};
        int[][] y = {row.y()};
        float[][] lp = gpt.tokenLogProbs(x, y);
        double manual = 0;
        for (int t = 0; t < row.length(); t++) {
            manual -= row.y()[t] >= 0 ? lp[0][t] : 0;
        }
        assertEquals(manual / row.targets(), gpt.loss(x, y), 1e-5);

        // the gradient w.r.t. the logits, position by position: exactly zero wherever y = -1 (prompt, headers),
        // non-zero at every assistant target
        TrainConfig tc = TrainConfig.defaults().withBatch(1, 1);
        CrossEntropyLoss ce = new CrossEntropyLoss(y);
        gpt.gradient(x, (row0, mb) -> {
            double l = ce.apply(row0, mb);
            java.nio.FloatBuffer d = mb.logits();
            for (int t = 0; t < mb.T(); t++) {
                double abs = 0;
                for (int v = 0; v < mb.V(); v++) {
                    abs += Math.abs(d.get(t * mb.V() + v));
                }
                if (row.y()[t] < 0) {
                    assertEquals(0.0, abs, "position " + t + " is masked but has a gradient");
                } else {
                    assertTrue(abs > 0, "target position " + t + " has no gradient");
                }
            }
            return l;
        }, tc);
        GPT a = GPT.create(gpt.config(), 3);
        a.trainStep(x, y, 1e-2, tc);
        GPT c = GPT.create(gpt.config(), 3);
        int[][] unmasked = {row.y().clone()};
        unmasked[0][0] = row.x()[1]; // train the first prompt position too: parameters must differ
        c.trainStep(x, unmasked, 1e-2, tc);
        assertTrue(!java.util.Arrays.equals(a.params(), c.params()));
        gpt.close();
        a.close();
        c.close();
    }

    @Test
    void paddingChangesNoNumberOfTheRealTokens() {
        GPT gpt = GPT.create(new GPTConfig(TOK.vocabSize(), 48, 1, 2, 16, 0, false, true), 5);
        ChatTemplate.Rendered short1 = T.render(ex("f:1", "12 + 34?", "46"));
        ChatTemplate.Rendered long1 = T.render(ex("f:2", "what is 12 + 34? the cat sat.", "it is 46. the cat sat."));
        SftRow s = SftData.row("f:1", short1.ids(), short1.target());
        SftRow l = SftData.row("f:2", long1.ids(), long1.target());
        int[][][] batch = SftData.batch(List.of(s, l), TOK.eotId());
        assertEquals(l.length(), batch[0][0].length);
        double alone = (gpt.loss(new int[][] {s.x()}, new int[][] {s.y()}) * s.targets()
                + gpt.loss(new int[][] {l.x()}, new int[][] {l.y()}) * l.targets()) / (s.targets() + l.targets());
        assertEquals(alone, gpt.loss(batch[0], batch[1]), 1e-5);
        float[][] lpPadded = gpt.tokenLogProbs(batch[0], batch[1]);
        float[][] lpAlone = gpt.tokenLogProbs(new int[][] {s.x()}, new int[][] {s.y()});
        for (int t = 0; t < s.length(); t++) {
            assertEquals(lpAlone[0][t], lpPadded[0][t], 1e-5, "position " + t);
        }
        gpt.close();
    }

    @Test
    void packingKeepsEveryTargetAndTheContext() {
        List<ChatExample> exs = List.of(ex("f:1", "12 + 34?", "46"), ex("f:2", "1 + 2?", "3"), ex("f:3", "5 + 5?", "10"),
                ex("f:4", "the cat?", "sat."));
        SftData.Rows rows = SftData.rows(exs, T, 40, new BadRecords());
        List<SftRow> packed = SftData.pack(rows.rows(), 40);
        assertTrue(packed.size() < rows.rows().size());
        assertEquals(rows.rows().stream().mapToInt(SftRow::targets).sum(), packed.stream().mapToInt(SftRow::targets).sum());
        assertTrue(packed.stream().allMatch(r -> r.length() <= 40));
    }

    @Test
    void aPromptLongerThanTheContextIsNamedAndSkippedALongAnswerIsCut() {
        BadRecords bad = new BadRecords();
        SftData.Rows rows = SftData.rows(List.of(ex("f:1", "the cat sat. ".repeat(30), "ok"),
                ex("f:2", "12 + 34?", "the cat sat. ".repeat(30)), ex("f:3", "1 + 2?", "3")), T, 32, bad);
        assertEquals(2, rows.rows().size());
        assertEquals(1, bad.count(BadRecords.PROMPT_TOO_LONG));
        assertTrue(bad.messages().get(0).startsWith("f:1: prompt_too_long"), bad.messages().get(0));
        assertEquals(1L, rows.counters().get("truncated"));
        assertEquals(32, rows.rows().get(0).length());
    }
}
