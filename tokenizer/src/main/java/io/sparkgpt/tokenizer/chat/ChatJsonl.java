package io.sparkgpt.tokenizer.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.zip.GZIPInputStream;

/**
 * Reads the JSONL formats users bring from TRL and the Hugging Face hub, one record per line, into
 * {@link ChatExample}s (fine-tuning) or {@link PreferencePair}s (reward model, DPO):
 * <ul>
 *   <li>conversational: {@code {"messages": [{"role": "user", "content": "..."}, ...]}} - every assistant turn is
 *       a target;</li>
 *   <li>prompt/completion: {@code {"prompt": "...", "completion": "..."}} - a string prompt is one user turn, a
 *       string completion one assistant turn; either may also be a list of messages; only the completion is a
 *       target;</li>
 *   <li>preference: {@code {"prompt": ..., "chosen": ..., "rejected": ...}} (strings or message lists), or without
 *       {@code prompt} (TRL's implicit prompt: {@code chosen} and {@code rejected} are whole conversations that
 *       share everything but their last turn);</li>
 *   <li>hh-rlhf: {@code {"chosen": "\n\nHuman: ...\n\nAssistant: ...", "rejected": "..."}}, converted by
 *       {@link HhRlhf} to messages and then read as an implicit-prompt pair; as a fine-tuning example, the
 *       {@code chosen} dialogue.</li>
 * </ul>
 * A bad line (not JSON, a missing field, a field of the wrong type, an empty conversation, a role the template
 * does not know, no assistant turn to learn from, chosen/rejected whose prompts differ) is skipped and recorded in
 * the {@link BadRecords} as {@code file:line: reason: detail}; blank lines are ignored; the other lines are read.
 * Files ending in {@code .gz} are gunzipped. Plain Java, no Spark: jobs hand in the stream they opened.
 */
public final class ChatJsonl {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ChatJsonl() {
    }

    /** A line that cannot be used; {@code reason} is one of {@link BadRecords}' keys. */
    static final class BadLine extends RuntimeException {
        final String reason;

        BadLine(String reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }
    }

    // ------------------------------------------------------------------------------------------ opening

    /** A UTF-8 reader of {@code in}, gunzipped when {@code name} ends with {@code .gz}. */
    public static BufferedReader reader(InputStream in, String name) throws IOException {
        InputStream s = name.endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
        return new BufferedReader(new InputStreamReader(s, StandardCharsets.UTF_8), 1 << 16);
    }

    public static List<ChatExample> readExamples(Path file, BadRecords bad) {
        try (BufferedReader r = reader(Files.newInputStream(file), file.toString())) {
            return readExamples(r, file.toString(), bad);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public static List<PreferencePair> readPreferences(Path file, BadRecords bad) {
        try (BufferedReader r = reader(Files.newInputStream(file), file.toString())) {
            return readPreferences(r, file.toString(), bad);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    // ------------------------------------------------------------------------------------------ records

    /** Fine-tuning examples of every good line of {@code in}; {@code source} names the file in messages. */
    public static List<ChatExample> readExamples(BufferedReader in, String source, BadRecords bad) throws IOException {
        return read(in, source, bad, ChatJsonl::example);
    }

    /** Preference pairs of every good line of {@code in}. */
    public static List<PreferencePair> readPreferences(BufferedReader in, String source, BadRecords bad)
            throws IOException {
        return read(in, source, bad, ChatJsonl::preference);
    }

    /** Parses one line as a fine-tuning example; a bad line is an IllegalArgumentException naming the reason. */
    public static ChatExample parseExample(String line, String origin) {
        try {
            return example(node(line), origin);
        } catch (BadLine e) {
            throw new IllegalArgumentException(origin + ": " + e.reason + ": " + e.getMessage());
        }
    }

    private static <T> List<T> read(BufferedReader in, String source, BadRecords bad,
                                    BiFunction<JsonNode, String, T> parse) throws IOException {
        List<T> out = new ArrayList<>();
        String line;
        int n = 0;
        while ((line = in.readLine()) != null) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            String origin = source + ":" + n;
            try {
                out.add(parse.apply(node(line), origin));
            } catch (BadLine e) {
                bad.add(origin, e.reason, e.getMessage());
            }
        }
        return out;
    }

    private static JsonNode node(String line) {
        JsonNode n;
        try {
            n = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new BadLine(BadRecords.NOT_JSON, e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) {
            throw new BadLine(BadRecords.NOT_JSON, "expected a JSON object per line");
        }
        return n;
    }

    static ChatExample example(JsonNode n, String origin) {
        ChatExample ex;
        if (n.has("messages")) {
            ex = ChatExample.of(origin, messages(n.get("messages"), "messages", false));
        } else if (n.has("prompt") || n.has("completion")) {
            List<ChatMessage> prompt = turns(required(n, "prompt"), "prompt", ChatMessage.USER);
            List<ChatMessage> completion = turns(required(n, "completion"), "completion", ChatMessage.ASSISTANT);
            List<ChatMessage> all = new ArrayList<>(prompt);
            all.addAll(completion);
            ex = new ChatExample(origin, all, prompt.size());
        } else if (n.has("chosen") && n.get("chosen").isTextual()) {
            ex = ChatExample.of(origin, dialogue(n.get("chosen"), "chosen"));
        } else {
            throw new BadLine(BadRecords.MISSING_FIELD, "expected \"messages\", \"prompt\"/\"completion\" or an hh-rlhf "
                    + "\"chosen\" dialogue, found fields " + fieldNames(n));
        }
        boolean target = false;
        for (int i = ex.firstTarget(); i < ex.messages().size(); i++) {
            target |= ex.messages().get(i).isAssistant();
        }
        if (!target) {
            throw new BadLine(BadRecords.NO_ASSISTANT_TURN, "no assistant turn to learn from");
        }
        return ex;
    }

    static PreferencePair preference(JsonNode n, String origin) {
        JsonNode c = required(n, "chosen");
        JsonNode r = required(n, "rejected");
        if (n.has("prompt")) {
            List<ChatMessage> prompt = turns(n.get("prompt"), "prompt", ChatMessage.USER);
            List<ChatMessage> chosen = turns(c, "chosen", ChatMessage.ASSISTANT);
            List<ChatMessage> rejected = turns(r, "rejected", ChatMessage.ASSISTANT);
            requireAssistantLast(chosen, "chosen");
            requireAssistantLast(rejected, "rejected");
            return new PreferencePair(origin, prompt, chosen, rejected);
        }
        List<ChatMessage> chosen = c.isTextual() ? dialogue(c, "chosen") : messages(c, "chosen", false);
        List<ChatMessage> rejected = r.isTextual() ? dialogue(r, "rejected") : messages(r, "rejected", false);
        requireAssistantLast(chosen, "chosen");
        requireAssistantLast(rejected, "rejected");
        List<ChatMessage> prompt = chosen.subList(0, chosen.size() - 1);
        if (!rejected.subList(0, rejected.size() - 1).equals(prompt)) {
            throw new BadLine(BadRecords.PROMPT_MISMATCH, "chosen and rejected differ before their last turn");
        }
        if (prompt.isEmpty()) {
            throw new BadLine(BadRecords.EMPTY_CONVERSATION, "no prompt before the answers");
        }
        return new PreferencePair(origin, prompt, chosen.subList(chosen.size() - 1, chosen.size()),
                rejected.subList(rejected.size() - 1, rejected.size()));
    }

    // ------------------------------------------------------------------------------------------ fields

    private static JsonNode required(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new BadLine(BadRecords.MISSING_FIELD, "missing field \"" + field + "\"");
        }
        return v;
    }

    /** A string (one turn of {@code role}) or a list of messages. */
    private static List<ChatMessage> turns(JsonNode v, String field, String role) {
        if (v.isTextual()) {
            return List.of(new ChatMessage(role, v.asText()));
        }
        return messages(v, field, false);
    }

    private static List<ChatMessage> dialogue(JsonNode v, String field) {
        try {
            return HhRlhf.toMessages(v.asText());
        } catch (IllegalArgumentException e) {
            throw new BadLine(BadRecords.NOT_A_DIALOGUE, "\"" + field + "\": " + e.getMessage());
        }
    }

    static List<ChatMessage> messages(JsonNode v, String field, boolean allowEmpty) {
        if (!v.isArray()) {
            throw new BadLine(BadRecords.WRONG_TYPE, "\"" + field + "\" must be a list of {role, content}, got "
                    + v.getNodeType().name().toLowerCase());
        }
        if (v.isEmpty() && !allowEmpty) {
            throw new BadLine(BadRecords.EMPTY_CONVERSATION, "\"" + field + "\" is an empty list");
        }
        List<ChatMessage> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            JsonNode m = v.get(i);
            String where = field + "[" + i + "]";
            if (!m.isObject()) {
                throw new BadLine(BadRecords.WRONG_TYPE, where + " must be an object {role, content}");
            }
            JsonNode role = m.get("role");
            JsonNode content = m.get("content");
            if (role == null || role.isNull()) {
                throw new BadLine(BadRecords.MISSING_FIELD, where + " has no \"role\"");
            }
            if (content == null || content.isNull()) {
                throw new BadLine(BadRecords.MISSING_FIELD, where + " has no \"content\"");
            }
            if (!role.isTextual() || !content.isTextual()) {
                throw new BadLine(BadRecords.WRONG_TYPE, where + ": role and content must be strings");
            }
            if (!ChatTemplate.ROLES.contains(role.asText())) {
                throw new BadLine(BadRecords.UNKNOWN_ROLE, where + ": unknown role '" + role.asText()
                        + "' (the chat template knows " + ChatTemplate.ROLES.stream().sorted().toList() + ")");
            }
            out.add(new ChatMessage(role.asText(), content.asText()));
        }
        return out;
    }

    private static void requireAssistantLast(List<ChatMessage> turns, String field) {
        if (turns.isEmpty()) {
            throw new BadLine(BadRecords.EMPTY_CONVERSATION, "\"" + field + "\" is empty");
        }
        if (!turns.get(turns.size() - 1).isAssistant()) {
            throw new BadLine(BadRecords.NO_ASSISTANT_TURN, "\"" + field + "\" does not end with an assistant turn");
        }
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> f = new ArrayList<>();
        n.fieldNames().forEachRemaining(f::add);
        return f;
    }
}
