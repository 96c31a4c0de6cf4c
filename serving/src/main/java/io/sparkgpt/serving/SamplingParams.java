package io.sparkgpt.serving;

import java.util.List;

/**
 * What one request asks of the generator, validated: OpenAI's {@code max_tokens}, {@code temperature},
 * {@code top_p}, {@code stop}, {@code seed} and {@code n}. Choice {@code i} draws from {@code seed + i}, so a
 * request with a seed gives the same text every time whatever else the server is doing.
 *
 * @param stopId an id that ends a sequence when generated (end of text or end of turn; -1 = none)
 */
public record SamplingParams(int maxTokens, double temperature, double topP, List<String> stop, long seed, int n,
                             int stopId) {
    public SamplingParams {
        stop = List.copyOf(stop);
    }
}
