package io.sparkgpt.model.posttrain;

import io.sparkgpt.model.CrossEntropyLoss;
import io.sparkgpt.tokenizer.chat.BadRecords;
import io.sparkgpt.tokenizer.chat.ChatExample;
import io.sparkgpt.tokenizer.chat.ChatTemplate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fine-tuning examples -> training rows, and rows -> batches.
 *
 * <p>Masking: a row is the rendered conversation shifted by one ({@code x = ids[0..n-2]}, {@code y = ids[1..n-1]}),
 * and {@code y[t]} is kept only where token t+1 is an assistant target of the {@link ChatTemplate} (the assistant's
 * content and its end token); everywhere else it is -1, so the loss and its gradient come from assistant tokens
 * only.
 *
 * <p>Length: the context is {@code blockSize} inputs. An example whose prompt (everything before its first target)
 * already fills the context is skipped and recorded ({@link BadRecords#PROMPT_TOO_LONG}, with its file:line); a
 * longer answer is cut at the context and counted ({@code truncated}).
 *
 * <p>Layout and the attention rule:
 * <ul>
 *   <li>{@link Layout#PAD}: one example per row; a batch is right-padded to its longest row with the pad id and
 *       target -1. Attention is causal, so no real token ever attends to a pad (pads only follow), and pads carry
 *       no loss: padding changes no number of the real tokens.</li>
 *   <li>{@link Layout#PACK}: examples are concatenated into rows of up to {@code blockSize} tokens (greedy, in
 *       order, never split). Attention is causal over the whole row: an example attends to the examples packed
 *       before it, as pretraining's documents do across {@code <|endoftext|>}; every rendered example starts with
 *       that token, the boundary the model learnt in pretraining. Fewer pads, more tokens per step.</li>
 * </ul>
 */
public final class SftData {
    /** How examples are laid out in rows. */
    public enum Layout { PAD, PACK }

    private SftData() {
    }

    /** The rows of {@code examples} (one each) and counters ({@code examples}, {@code rows}, {@code truncated}, ...). */
    public record Rows(List<SftRow> rows, Map<String, Long> counters) {
    }

    /** One row per example; too-long prompts go to {@code bad}. */
    public static Rows rows(List<ChatExample> examples, ChatTemplate template, int blockSize, BadRecords bad) {
        List<SftRow> out = new ArrayList<>(examples.size());
        Map<String, Long> c = new TreeMap<>();
        c.put("examples", (long) examples.size());
        long truncated = 0;
        long targets = 0;
        long tokens = 0;
        for (ChatExample ex : examples) {
            ChatTemplate.Rendered r;
            try {
                r = template.render(ex);
            } catch (ChatTemplate.UnknownRoleException e) {
                bad.add(ex.origin(), BadRecords.UNKNOWN_ROLE, e.getMessage());
                continue;
            }
            if (r.firstTarget() >= blockSize) {
                bad.add(ex.origin(), BadRecords.PROMPT_TOO_LONG, "the prompt takes " + r.firstTarget()
                        + " tokens, the context is " + blockSize);
                continue;
            }
            int n = Math.min(r.ids().length, blockSize + 1);
            truncated += n < r.ids().length ? 1 : 0;
            SftRow row = row(ex.origin(), Arrays.copyOf(r.ids(), n), Arrays.copyOf(r.target(), n));
            targets += row.targets();
            tokens += row.length();
            out.add(row);
        }
        c.put("rows", (long) out.size());
        c.put("truncated", truncated);
        c.put("target_tokens", targets);
        c.put("tokens", tokens);
        return new Rows(out, c);
    }

    /** The row of one rendered example: x = ids[0..n-2], y = ids[1..n-1] where a target, else -1. */
    public static SftRow row(String origin, int[] ids, boolean[] target) {
        int n = ids.length - 1;
        int[] x = Arrays.copyOf(ids, n);
        int[] y = new int[n];
        for (int t = 0; t < n; t++) {
            y[t] = target[t + 1] ? ids[t + 1] : CrossEntropyLoss.IGNORE;
        }
        return new SftRow(origin, x, y);
    }

    /** Rows of up to {@code blockSize} tokens, each the concatenation of whole rows in order ({@link Layout#PACK}). */
    public static List<SftRow> pack(List<SftRow> rows, int blockSize) {
        List<SftRow> out = new ArrayList<>();
        List<SftRow> cur = new ArrayList<>();
        int len = 0;
        for (SftRow r : rows) {
            if (len + r.length() > blockSize && !cur.isEmpty()) {
                out.add(concat(cur));
                cur.clear();
                len = 0;
            }
            cur.add(r);
            len += r.length();
        }
        if (!cur.isEmpty()) {
            out.add(concat(cur));
        }
        return out;
    }

    private static SftRow concat(List<SftRow> rows) {
        if (rows.size() == 1) {
            return rows.get(0);
        }
        int n = rows.stream().mapToInt(SftRow::length).sum();
        int[] x = new int[n];
        int[] y = new int[n];
        int o = 0;
        for (SftRow r : rows) {
            System.arraycopy(r.x(), 0, x, o, r.length());
            System.arraycopy(r.y(), 0, y, o, r.length());
            o += r.length();
        }
        return new SftRow(rows.get(0).origin() + "+" + (rows.size() - 1), x, y);
    }

    /**
     * The batch {@code {x, y}} of {@code rows}, right-padded to the longest with {@code padId} (inputs) and -1
     * (targets).
     */
    public static int[][][] batch(List<SftRow> rows, int padId) {
        int T = rows.stream().mapToInt(SftRow::length).max().orElseThrow();
        int[][] x = new int[rows.size()][T];
        int[][] y = new int[rows.size()][T];
        for (int i = 0; i < rows.size(); i++) {
            SftRow r = rows.get(i);
            Arrays.fill(x[i], padId);
            Arrays.fill(y[i], CrossEntropyLoss.IGNORE);
            System.arraycopy(r.x(), 0, x[i], 0, r.length());
            System.arraycopy(r.y(), 0, y[i], 0, r.length());
        }
        return new int[][][] {x, y};
    }
}
