package io.sparkgpt.trainer.posttrain;

import io.sparkgpt.model.GPT;
import io.sparkgpt.model.posttrain.ExactMatch;
import io.sparkgpt.model.posttrain.SftData;
import io.sparkgpt.model.posttrain.SftRow;
import io.sparkgpt.tokenizer.chat.ChatExample;
import io.sparkgpt.tokenizer.chat.ChatTemplate;
import io.sparkgpt.trainer.GptModel;
import io.sparkgpt.trainer.LocalModel;
import io.sparkgpt.trainer.Validation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Validation of a chat model on held-out examples: {@code val_loss}, the mean cross-entropy over the assistant
 * targets of every validation row (weighted by targets, so it does not depend on the batching), and
 * {@code exact_match}, the share of the first {@code generate} examples whose greedy answer equals the reference
 * ({@link ExactMatch}).
 */
public final class ChatValidation implements Validation {
    public static final String EXACT_MATCH = "exact_match";

    private final List<SftRow> rows;
    private final List<ChatExample> examples;
    private final ChatTemplate template;
    private final int batchSize;
    private final int padId;
    private final int maxNewTokens;

    public ChatValidation(List<SftRow> rows, List<ChatExample> generateOn, ChatTemplate template, int batchSize,
                          int padId, int maxNewTokens) {
        this.rows = List.copyOf(rows);
        this.examples = List.copyOf(generateOn);
        this.template = template;
        this.batchSize = batchSize;
        this.padId = padId;
        this.maxNewTokens = maxNewTokens;
    }

    @Override
    public boolean available() {
        return !rows.isEmpty();
    }

    @Override
    public Map<String, Double> evaluate(LocalModel model) {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put(LOSS, loss(model, rows, batchSize, padId));
        if (!examples.isEmpty()) {
            GPT gpt = ((GptModel) model).gpt();
            out.put(EXACT_MATCH, ExactMatch.accuracy(gpt, template, examples, maxNewTokens));
        }
        return out;
    }

    /** Mean loss over the targets of {@code rows}. */
    public static double loss(LocalModel model, List<SftRow> rows, int batchSize, int padId) {
        double nats = 0;
        long targets = 0;
        for (int i = 0; i < rows.size(); i += batchSize) {
            List<SftRow> part = rows.subList(i, Math.min(rows.size(), i + batchSize));
            int[][][] b = SftData.batch(part, padId);
            long n = part.stream().mapToLong(SftRow::targets).sum();
            if (n > 0) {
                nats += model.loss(b[0], b[1]) * n;
                targets += n;
            }
        }
        return targets == 0 ? Double.NaN : nats / targets;
    }
}
