package io.sparkgpt.tokenizer.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Anthropic's hh-rlhf dialogue form, {@code "\n\nHuman: ...\n\nAssistant: ..."}, converted to messages
 * ({@code Human} -> user, {@code Assistant} -> assistant), so that the trainers only ever see messages.
 */
public final class HhRlhf {
    private static final Pattern TURN = Pattern.compile("\n\n(Human|Assistant):");

    private HhRlhf() {
    }

    /** True when {@code text} looks like an hh-rlhf dialogue (starts with a Human or Assistant turn). */
    public static boolean isDialogue(String text) {
        Matcher m = TURN.matcher(text);
        return m.find() && text.substring(0, m.start()).isBlank();
    }

    /**
     * The messages of a dialogue; a text that does not start with a {@code Human:}/{@code Assistant:} turn is an
     * IllegalArgumentException. Each turn's text is stripped of the space after the colon and of trailing space;
     * an empty last turn ({@code "\n\nAssistant:"}) stays, empty.
     */
    public static List<ChatMessage> toMessages(String text) {
        if (!isDialogue(text)) {
            throw new IllegalArgumentException("not an hh-rlhf dialogue (expected it to start with \"\\n\\nHuman: \")");
        }
        Matcher m = TURN.matcher(text);
        List<ChatMessage> out = new ArrayList<>();
        String role = null;
        int from = 0;
        while (m.find()) {
            if (role != null) {
                out.add(new ChatMessage(role, clean(text.substring(from, m.start()))));
            }
            role = "Human".equals(m.group(1)) ? ChatMessage.USER : ChatMessage.ASSISTANT;
            from = m.end();
        }
        out.add(new ChatMessage(role, clean(text.substring(from))));
        return out;
    }

    private static String clean(String s) {
        return s.startsWith(" ") ? s.substring(1).stripTrailing() : s.stripTrailing();
    }
}
