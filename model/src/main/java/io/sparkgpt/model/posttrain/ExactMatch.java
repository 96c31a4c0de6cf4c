package io.sparkgpt.model.posttrain;

import io.sparkgpt.model.GPT;
import io.sparkgpt.model.Sampler;
import io.sparkgpt.tokenizer.chat.ChatExample;
import io.sparkgpt.tokenizer.chat.ChatMessage;
import io.sparkgpt.tokenizer.chat.ChatTemplate;
import java.util.List;

/**
 * Exact-match accuracy of generated answers: for each example, the model answers its prompt (the messages before
 * its first target turn, rendered with {@link ChatTemplate#renderPrompt}) greedily until the stop token, and the
 * answer counts when it equals the reference (the first target assistant turn) after trimming whitespace.
 */
public final class ExactMatch {
    private ExactMatch() {
    }

    /** One graded answer. */
    public record Graded(String origin, String expected, String answer, boolean correct) {
    }

    /** The prompt and the reference answer of an example (its first assistant turn at or after firstTarget). */
    public static int referenceIndex(ChatExample ex) {
        List<ChatMessage> m = ex.messages();
        for (int i = ex.firstTarget(); i < m.size(); i++) {
            if (m.get(i).isAssistant()) {
                return i;
            }
        }
        throw new IllegalArgumentException(ex.origin() + ": no assistant turn to compare with");
    }

    public static Graded grade(GPT gpt, ChatTemplate template, ChatExample ex, int maxNewTokens) {
        int ref = referenceIndex(ex);
        String expected = ex.messages().get(ref).content().strip();
        int[] prompt = template.renderPrompt(ex.messages().subList(0, ref));
        int room = gpt.config().blockSize() - prompt.length;
        String answer = "";
        if (room > 0) {
            int[] out = Sampler.generate(gpt, prompt, new Sampler.Options(Math.min(maxNewTokens, room), 0, 0, 1, 0,
                    template.stopToken(), true));
            answer = template.decodeReply(out).strip();
        }
        return new Graded(ex.origin(), expected, answer, answer.equals(expected));
    }

    /** The share of {@code examples} answered exactly. */
    public static double accuracy(GPT gpt, ChatTemplate template, List<ChatExample> examples, int maxNewTokens) {
        if (examples.isEmpty()) {
            return Double.NaN;
        }
        int ok = 0;
        for (ChatExample ex : examples) {
            ok += grade(gpt, template, ex, maxNewTokens).correct() ? 1 : 0;
        }
        return (double) ok / examples.size();
    }
}
