package io.sparkgpt.tokenizer.chat;

import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.IntList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The chat template: the one way a conversation becomes token ids, shared by training (SFT, reward model, DPO,
 * PPO), evaluation and serving ({@code /v1/chat/completions}). A conversation is rendered as
 * <pre>
 *   &lt;|endoftext|&gt;                                  (if the tokenizer has it: the boundary pretraining saw)
 *   &lt;|system|&gt; content &lt;|end|&gt;                     (each message: its role's header, its text, the end token)
 *   &lt;|user|&gt; content &lt;|end|&gt;
 *   &lt;|assistant|&gt; content &lt;|end|&gt;
 * </pre>
 * with no separators beyond the special tokens. The content is encoded as ordinary text ({@link BpeTokenizer#encode}):
 * a user who writes {@code <|end|>} gets the characters, never the control token.
 *
 * <p>Targets: the {@link Rendered#target()} mask is true for the tokens of an assistant turn's content and for its
 * end token (so the model learns to stop), false for everything else (headers, system and user turns, earlier
 * assistant turns of a prompt/completion example). The loss of fine-tuning is taken where the mask is true only.
 *
 * <p>Generation: {@link #renderPrompt} renders the conversation and then the assistant header; the model writes
 * the reply and {@link #stopToken()} ends it. Stable API (the HTTP server uses it).
 */
public final class ChatTemplate {
    /** The roles the template knows. */
    public static final Set<String> ROLES = Set.of(ChatMessage.SYSTEM, ChatMessage.USER, ChatMessage.ASSISTANT);

    private final BpeTokenizer tokenizer;
    private final Map<String, Integer> header;
    private final int end;
    private final int bos;

    /** {@code tokenizer} must have the chat tokens ({@link ChatTokens#addTo}). */
    public ChatTemplate(BpeTokenizer tokenizer) {
        if (!ChatTokens.present(tokenizer)) {
            throw new IllegalArgumentException("the tokenizer has no chat tokens " + ChatTokens.ALL
                    + ": add them with ChatTokens.addTo (post-training jobs do it when they start from a base model)");
        }
        this.tokenizer = tokenizer;
        Map<String, Integer> sp = tokenizer.specialTokens();
        this.header = Map.of(ChatMessage.SYSTEM, sp.get(ChatTokens.SYSTEM), ChatMessage.USER, sp.get(ChatTokens.USER),
                ChatMessage.ASSISTANT, sp.get(ChatTokens.ASSISTANT));
        this.end = sp.get(ChatTokens.END);
        this.bos = tokenizer.eotId();
    }

    public BpeTokenizer tokenizer() {
        return tokenizer;
    }

    /** The id that ends every turn: generation stops when the model writes it. */
    public int stopToken() {
        return end;
    }

    /** The id of {@code role}'s header; an unknown role is an {@link UnknownRoleException} naming it. */
    public int headerId(String role) {
        Integer id = header.get(role);
        if (id == null) {
            throw new UnknownRoleException(role);
        }
        return id;
    }

    /** A rendered conversation: ids, and per id whether it is a training target (an assistant's token). */
    public record Rendered(int[] ids, boolean[] target) {
        /** Index of the first target token, or ids.length when there is none. */
        public int firstTarget() {
            for (int i = 0; i < target.length; i++) {
                if (target[i]) {
                    return i;
                }
            }
            return ids.length;
        }

        public int targetCount() {
            int n = 0;
            for (boolean t : target) {
                n += t ? 1 : 0;
            }
            return n;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Rendered r && Arrays.equals(ids, r.ids) && Arrays.equals(target, r.target);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(ids) + Arrays.hashCode(target);
        }

        @Override
        public String toString() {
            return "Rendered" + Arrays.toString(ids);
        }
    }

    /** Every assistant turn is a target. */
    public Rendered render(List<ChatMessage> messages) {
        return render(messages, 0);
    }

    /** The example's assistant turns from {@link ChatExample#firstTarget()} on are the targets. */
    public Rendered render(ChatExample example) {
        return render(example.messages(), example.firstTarget());
    }

    /** Assistant turns at index {@code >= firstTarget} are targets. */
    public Rendered render(List<ChatMessage> messages, int firstTarget) {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("an empty conversation has nothing to render");
        }
        IntList ids = new IntList(64);
        IntList tgt = new IntList(64);
        if (bos >= 0) {
            ids.add(bos);
            tgt.add(0);
        }
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            int h = headerId(m.role());
            boolean target = m.isAssistant() && i >= firstTarget;
            ids.add(h);
            tgt.add(0);
            int before = ids.size();
            tokenizer.encodeOrdinary(m.content(), 0, m.content().length(), ids);
            ids.add(end);
            for (int k = before; k < ids.size(); k++) {
                tgt.add(target ? 1 : 0);
            }
        }
        int[] t = tgt.toArray();
        boolean[] mask = new boolean[t.length];
        for (int i = 0; i < t.length; i++) {
            mask[i] = t[i] != 0;
        }
        return new Rendered(ids.toArray(), mask);
    }

    /**
     * The ids to generate from: the conversation (no targets) followed by the assistant header. The model's reply is
     * what it writes next, up to {@link #stopToken()}.
     */
    public int[] renderPrompt(List<ChatMessage> messages) {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("an empty conversation has nothing to answer");
        }
        int[] conv = render(messages, messages.size()).ids();
        int[] out = Arrays.copyOf(conv, conv.length + 1);
        out[conv.length] = header.get(ChatMessage.ASSISTANT);
        return out;
    }

    /** The text of a generated reply: the ids up to (not including) the first stop token. */
    public String decodeReply(int[] generated) {
        int n = 0;
        while (n < generated.length && generated[n] != end) {
            n++;
        }
        int[] ids = Arrays.copyOf(generated, n);
        return tokenizer.decode(Arrays.stream(ids).filter(id -> !tokenizer.isSpecial(id)).toArray());
    }

    /** A role outside {@link #ROLES}. */
    public static final class UnknownRoleException extends IllegalArgumentException {
        private final String role;

        public UnknownRoleException(String role) {
            super("unknown role '" + role + "': the chat template knows " + ROLES.stream().sorted().toList());
            this.role = role;
        }

        public String role() {
            return role;
        }
    }
}
