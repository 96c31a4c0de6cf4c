package io.sparkgpt.tokenizer.chat;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The records a reader or a job skipped: a count per reason (for {@code stats.json}) and the first
 * {@link #KEPT_MESSAGES} messages, each naming the file and line ({@code file:line: reason: detail}).
 * Reasons are short stable keys: {@link #NOT_JSON}, {@link #MISSING_FIELD}, ...
 */
public final class BadRecords implements Serializable {
    public static final String NOT_JSON = "not_json";
    public static final String MISSING_FIELD = "missing_field";
    public static final String WRONG_TYPE = "wrong_type";
    public static final String EMPTY_CONVERSATION = "empty_conversation";
    public static final String UNKNOWN_ROLE = "unknown_role";
    public static final String NO_ASSISTANT_TURN = "no_assistant_turn";
    public static final String NOT_A_DIALOGUE = "not_a_dialogue";
    public static final String PROMPT_MISMATCH = "prompt_mismatch";
    public static final String PROMPT_TOO_LONG = "prompt_too_long";
    public static final int KEPT_MESSAGES = 50;

    private final TreeMap<String, Long> counts = new TreeMap<>();
    private final List<String> messages = new ArrayList<>();

    /** Records one skipped record; returns the message ({@code origin: reason: detail}). */
    public String add(String origin, String reason, String detail) {
        counts.merge(reason, 1L, Long::sum);
        String m = origin + ": " + reason + ": " + detail;
        if (messages.size() < KEPT_MESSAGES) {
            messages.add(m);
        }
        return m;
    }

    public void addAll(BadRecords other) {
        other.counts.forEach((k, v) -> counts.merge(k, v, Long::sum));
        for (String m : other.messages) {
            if (messages.size() < KEPT_MESSAGES) {
                messages.add(m);
            }
        }
    }

    public long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    public long count(String reason) {
        return counts.getOrDefault(reason, 0L);
    }

    /** Reason -> count, sorted by reason. */
    public Map<String, Long> counts() {
        return new TreeMap<>(counts);
    }

    /** The first messages, in the order the records were met. */
    public List<String> messages() {
        return List.copyOf(messages);
    }
}
