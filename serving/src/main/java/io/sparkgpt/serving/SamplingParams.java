package io.sparkgpt.serving;

import java.util.List;

/**
 * What one request asks of the generator, validated: OpenAI's {@code max_tokens}, {@code temperature},
 * {@code top_p}, {@code stop}, {@code seed} and {@code n}. Choice {@code i} draws from {@code seed + i}, so a
 * request with a seed gives the same text every time whatever else the server is doing.
 *
 * @param stopIds ids that end a sequence when generated (end of text, end of turn), not part of the text
 */
public record SamplingParams(int maxTokens, double temperature, double topP, List<String> stop, long seed, int n,
                             int[] stopIds) {
    public SamplingParams {
        stop = List.copyOf(stop);
        stopIds = stopIds.clone();
    }

    public boolean isStop(int id) {
        for (int s : stopIds) {
            if (s == id) {
                return true;
            }
        }
        return false;
    }
}
