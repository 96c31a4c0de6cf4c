package io.sparkgpt.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Reads and checks the fields of OpenAI's request bodies; every bad field is a 400 that names it. */
final class Requests {
    static final int MAX_STOPS = 4;

    private Requests() {}

    /** A parsed request: the prompt's ids, how to sample, and whether to stream. */
    record Generation(int[] prompt, SamplingParams params, boolean stream, boolean includeUsage) {}

    static JsonNode parseBody(ObjectMapper mapper, byte[] body) {
        JsonNode node;
        try {
            node = mapper.readTree(body);
        } catch (IOException e) {
            throw new ApiError(400, "invalid_request_error", "invalid_json", null,
                    "We could not parse the JSON body of your request: " + firstLine(e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            throw new ApiError(400, "invalid_request_error", "invalid_json", null,
                    "The body of your request must be a JSON object.");
        }
        return node;
    }

    /** 404 when the request names another model than the one served (a missing {@code model} means this one). */
    static void checkModel(JsonNode body, ServedModel model) {
        JsonNode m = body.get("model");
        if (m == null || m.isNull()) {
            return;
        }
        if (!m.isTextual()) {
            throw ApiError.badParam("model", "'model' must be a string");
        }
        if (!m.asText().equals(model.id())) {
            throw new ApiError(404, "invalid_request_error", "model_not_found", "model", "The model '"
                    + m.asText() + "' does not exist; this server serves '" + model.id() + "'.");
        }
    }

    /** The ids of {@code /v1/completions}' {@code prompt}: a string, a list of one string, or a list of ids. */
    static int[] completionPrompt(JsonNode body, ServedModel model) {
        JsonNode p = body.get("prompt");
        if (p == null || p.isNull()) {
            throw new ApiError(400, "invalid_request_error", "missing_required_parameter", "prompt",
                    "you must provide a 'prompt' parameter");
        }
        if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) {
            p = p.get(0);
        }
        int[] ids;
        if (p.isTextual()) {
            ids = model.tokenizer().encode(p.asText());
        } else if (p.isArray() && p.size() > 0 && allInts(p)) {
            ids = new int[p.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = p.get(i).asInt();
                if (ids[i] < 0 || ids[i] >= model.vocabSize()) {
                    throw ApiError.badParam("prompt", "token id " + ids[i] + " at prompt[" + i
                            + "] is outside the vocabulary (0.." + (model.vocabSize() - 1) + ")");
                }
            }
        } else {
            throw ApiError.badParam("prompt", "'prompt' must be a string, a list of one string or a list of token "
                    + "ids (one prompt per request)");
        }
        if (ids.length == 0) {
            int eot = model.tokenizer().eotId();
            if (eot < 0) {
                throw ApiError.badParam("prompt", "the prompt is empty and this tokenizer has no end-of-text token "
                        + "to start from");
            }
            ids = new int[] {eot};
        }
        return ids;
    }

    private static boolean allInts(JsonNode a) {
        for (JsonNode x : a) {
            if (!x.canConvertToInt() || !x.isIntegralNumber()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The sampling fields. {@code max_tokens} defaults to what fits in the context up to {@code defaultMaxTokens};
     * a prompt plus {@code max_tokens} longer than the context is a 400 {@code context_length_exceeded}.
     */
    static Generation generation(JsonNode body, int[] prompt, ServedModel model, int defaultMaxTokens, int maxN,
                                 int[] stopIds) {
        int ctx = model.contextLength();
        if (prompt.length >= ctx) {
            throw new ApiError(400, "invalid_request_error", "context_length_exceeded", "prompt",
                    "This model's maximum context length is " + ctx + " tokens, however your prompt is "
                            + prompt.length + " tokens (it needs room for at least one generated token).");
        }
        String maxField = body.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        Integer max = intField(body, maxField, 1, Integer.MAX_VALUE);
        if (max != null && prompt.length + max > ctx) {
            throw new ApiError(400, "invalid_request_error", "context_length_exceeded", maxField,
                    "This model's maximum context length is " + ctx + " tokens. However, you requested "
                            + (prompt.length + max) + " tokens (" + prompt.length + " in the prompt, " + max
                            + " for the completion). Please reduce the prompt or the completion length.");
        }
        int maxTokens = max != null ? max : Math.min(defaultMaxTokens, ctx - prompt.length);
        Double temperature = numberField(body, "temperature", 0, 2);
        Double topP = numberField(body, "top_p", 0, 1);
        if (topP != null && topP == 0) {
            throw ApiError.badParam("top_p", "'top_p' must be in (0, 1]: 0 keeps no token");
        }
        Integer n = intField(body, "n", 1, maxN);
        Long seed = null;
        JsonNode s = body.get("seed");
        if (s != null && !s.isNull()) {
            if (!s.isIntegralNumber() || !s.canConvertToLong()) {
                throw ApiError.badParam("seed", "'seed' must be an integer, got " + s);
            }
            seed = s.asLong();
        }
        boolean stream = boolField(body, "stream");
        JsonNode so = body.get("stream_options");
        boolean includeUsage = so != null && so.isObject() && so.path("include_usage").asBoolean(false);
        SamplingParams params = new SamplingParams(maxTokens, temperature != null ? temperature : 1.0,
                topP != null ? topP : 1.0, stops(body), seed != null ? seed : ThreadLocalRandom.current().nextLong(),
                n != null ? n : 1, stopIds);
        return new Generation(prompt, params, stream, includeUsage);
    }

    static List<String> stops(JsonNode body) {
        JsonNode s = body.get("stop");
        List<String> out = new ArrayList<>();
        if (s == null || s.isNull()) {
            return out;
        }
        if (s.isTextual()) {
            out.add(s.asText());
        } else if (s.isArray() && s.size() <= MAX_STOPS) {
            for (JsonNode x : s) {
                if (!x.isTextual()) {
                    throw ApiError.badParam("stop", "'stop' must be a string or a list of strings, got " + s);
                }
                out.add(x.asText());
            }
        } else {
            throw ApiError.badParam("stop", "'stop' must be a string or a list of at most " + MAX_STOPS
                    + " strings, got " + s);
        }
        if (out.stream().anyMatch(String::isEmpty)) {
            throw ApiError.badParam("stop", "a stop sequence cannot be empty");
        }
        return out;
    }

    static Integer intField(JsonNode body, String name, int min, int max) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
            throw ApiError.badParam(name, "'" + name + "' must be an integer from " + min + " to " + max + ", got "
                    + v);
        }
        return v.asInt();
    }

    static Double numberField(JsonNode body, String name, double min, double max) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber() || !(v.asDouble() >= min && v.asDouble() <= max)) {
            throw ApiError.badParam(name, "'" + name + "' must be a number from " + min + " to " + max + ", got "
                    + v);
        }
        return v.asDouble();
    }

    static boolean boolField(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw ApiError.badParam(name, "'" + name + "' must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
