package io.sparkgpt.model.posttrain;

import io.sparkgpt.model.Rng;
import io.sparkgpt.tokenizer.augment.TextNoise;
import io.sparkgpt.tokenizer.chat.ChatExample;
import io.sparkgpt.tokenizer.chat.ChatMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Data augmentation of fine-tuning examples by transformations that keep the answer right. Each is named, and the
 * job's stats count, per name, the copies it changed ({@code augment.<name>.applied}) and those it did not apply to
 * ({@code augment.<name>.not_applicable}):
 * <ul>
 *   <li>{@code reword}: an arithmetic question ({@code a + b}, {@code a - b}, {@code a * b} in the last user turn)
 *       re-asked with another instruction template ("What is 3 + 4?", "Compute 3 plus 4.", "3 + 4 = ?", ...), or a
 *       comparison ("Which is larger, 12 or 40?" answered 40: two numbers, a word such as larger/bigger/greater, the
 *       answer the larger one) with another comparison template; the answer is unchanged;</li>
 *   <li>{@code renumber}: the same templated question with new operands of the same digit counts, and the answer
 *       recomputed; applies only where the example's answer is the right result, so a wrong label is never
 *       "corrected" into another. A re-drawn problem whose {@link #problemKey} is in the excluded set (the held-out
 *       and validation problems the job is given) is drawn again (counted {@code augment.renumber.redrawn}), so
 *       renumbering never writes a held-out problem into the training data;</li>
 *   <li>{@code shuffle-choices}: multiple-choice options ({@code A) ...} lines) shuffled and relabelled, the answer
 *       letter moved with its option;</li>
 *   <li>{@code noise}: whitespace and letter-case noise on the user turns (digits and symbols untouched);</li>
 *   <li>{@code typos}: letters and words of the user turns deleted, swapped or inserted ({@link TextNoise}, the
 *       same code as the augment job's noise; numbers and code untouched).</li>
 * </ul>
 * Each training example gets {@code copies} augmented copies beside itself; a copy applies every listed
 * transformation it can, drawn from an RNG seeded with (seed, example index, copy): the same input gives the same
 * output.
 */
public final class Augmenter {
    public static final List<String> NAMES = List.of("reword", "renumber", "shuffle-choices", "noise", "typos");
    /** {@code typos}: the augment job's character and word noise at these rates (one letter in 20, one word in 20). */
    static final TextNoise TYPOS = new TextNoise(0.05, 0.05);

    private static final Pattern EXPR = Pattern.compile("(\\d{1,6})\\s*(\\+|-|\\*|x|×|plus|minus|times)\\s*(\\d{1,6})");
    private static final Pattern CHOICE = Pattern.compile("(?m)^\\s*([A-H])[).:]\\s+(.+)$");
    private static final Pattern LETTER = Pattern.compile("^\\(?([A-H])\\)?[.)]?$");
    private static final Pattern NUMBER = Pattern.compile("(?<![\\d.])\\d{1,6}(?![\\d.]\\d)");
    private static final Pattern LARGER = Pattern.compile("(?i)\\b(larger|bigger|greater|higher|more|max|maximum)\\b");
    private static final Pattern SMALLER = Pattern.compile("(?i)\\b(smaller|less|lower|fewer|min|minimum|not)\\b");
    private static final String[] COMPARE_TEMPLATES = {
        "Which is larger, %s or %s?", "Which number is bigger: %s or %s?", "Pick the larger of %s and %s.",
        "Which of %s and %s is greater?", "What is the maximum of %s and %s?", "Tell me the bigger number: %s or %s.",
    };
    /** Re-draws of a renumbered problem that hit an excluded one before the copy gives up (not applicable). */
    private static final int REDRAWS = 50;
    private static final String[][] TEMPLATES = {
        {"What is %s %s %s?", "sym"}, {"Compute %s %s %s.", "sym"}, {"%s %s %s = ?", "sym"},
        {"Calculate: %s %s %s", "sym"}, {"What is %s %s %s?", "word"}, {"Please work out %s %s %s.", "word"},
        {"What do you get for %s %s %s?", "sym"}, {"Tell me %s %s %s.", "word"},
    };

    private final List<String> names;
    private final int copies;
    private final long seed;
    private final Set<String> excluded;

    public Augmenter(List<String> names, int copies, long seed) {
        this(names, copies, seed, Set.of());
    }

    /** {@code excluded}: {@link #problemKey}s that {@code renumber} must never produce (held-out problems). */
    public Augmenter(List<String> names, int copies, long seed, Set<String> excluded) {
        for (String n : names) {
            if (!NAMES.contains(n)) {
                throw new IllegalArgumentException("unknown augmentation '" + n + "': known are " + NAMES);
            }
        }
        if (copies < 1) {
            throw new IllegalArgumentException("augmentation copies must be >= 1, got " + copies);
        }
        this.names = List.copyOf(names);
        this.copies = copies;
        this.seed = seed;
        this.excluded = Set.copyOf(excluded);
    }

    /** The examples followed by their augmented copies; {@code counters} gets the per-name counts. */
    public List<ChatExample> apply(List<ChatExample> examples, Map<String, Long> counters) {
        List<ChatExample> out = new ArrayList<>(examples);
        long made = 0;
        for (int i = 0; i < examples.size(); i++) {
            for (int c = 0; c < copies; c++) {
                Rng rng = new Rng(mix(seed, i, c));
                ChatExample ex = examples.get(i);
                boolean changed = false;
                for (String n : names) {
                    ChatExample next = transform(n, ex, rng, excluded, counters);
                    counters.merge("augment." + n + (next == null ? ".not_applicable" : ".applied"), 1L, Long::sum);
                    if (next != null) {
                        ex = next;
                        changed = true;
                    }
                }
                if (changed) {
                    out.add(new ChatExample(ex.origin() + "#aug" + c, ex.messages(), ex.firstTarget()));
                    made++;
                }
            }
        }
        counters.merge("augment.copies", made, Long::sum);
        return out;
    }

    /** Counters in a stable order (for stats.json). */
    public static Map<String, Long> sorted(Map<String, Long> counters) {
        return new TreeMap<>(counters);
    }

    /** The transformed example, or null where the transformation does not apply. */
    static ChatExample transform(String name, ChatExample ex, Rng rng, Set<String> excluded,
                                 Map<String, Long> counters) {
        return switch (name) {
            case "reword" -> reword(ex, rng);
            case "renumber" -> renumber(ex, rng, excluded, counters);
            case "shuffle-choices" -> shuffleChoices(ex, rng);
            case "noise" -> userTurns(ex, rng, (t, r) -> TextNoise.caseAndSpacing(t, r));
            case "typos" -> userTurns(ex, rng, (t, r) -> TYPOS.apply(t, r).text());
            default -> throw new IllegalArgumentException(name);
        };
    }

    // ------------------------------------------------------------------------------------------ arithmetic

    /** Index of the user turn just before the first target answer, or -1. */
    private static int questionIndex(ChatExample ex) {
        int ref;
        try {
            ref = ExactMatch.referenceIndex(ex);
        } catch (IllegalArgumentException e) {
            return -1;
        }
        return ref > 0 && ChatMessage.USER.equals(ex.messages().get(ref - 1).role()) ? ref - 1 : -1;
    }

    private static String symbol(String op) {
        return switch (op) {
            case "+", "plus" -> "+";
            case "-", "minus" -> "-";
            default -> "*";
        };
    }

    private static String word(String sym) {
        return switch (sym) {
            case "+" -> "plus";
            case "-" -> "minus";
            default -> "times";
        };
    }

    private static long compute(long a, String sym, long b) {
        return switch (sym) {
            case "+" -> a + b;
            case "-" -> a - b;
            default -> a * b;
        };
    }

    private static ChatExample reword(ChatExample ex, Rng rng) {
        int q = questionIndex(ex);
        if (q < 0) {
            return null;
        }
        long[] pair = comparison(ex, q);
        if (pair != null) {
            String t = COMPARE_TEMPLATES[rng.nextInt(COMPARE_TEMPLATES.length)];
            return replace(ex, q, String.format(t, pair[0], pair[1]));
        }
        Matcher m = EXPR.matcher(ex.messages().get(q).content());
        if (!m.find() || ex.messages().get(q).content().length() > 80) {
            return null;
        }
        String sym = symbol(m.group(2));
        String[] t = TEMPLATES[rng.nextInt(TEMPLATES.length)];
        String text = String.format(t[0], m.group(1), "word".equals(t[1]) ? word(sym) : sym, m.group(3));
        return replace(ex, q, text);
    }

    private static ChatExample renumber(ChatExample ex, Rng rng, Set<String> excluded, Map<String, Long> counters) {
        int q = questionIndex(ex);
        if (q < 0) {
            return null;
        }
        String question = ex.messages().get(q).content();
        if (comparison(ex, q) != null) {
            return renumberComparison(ex, q, rng, excluded, counters);
        }
        Matcher m = EXPR.matcher(question);
        if (!m.find()) {
            return null;
        }
        String sym = symbol(m.group(2));
        long a = Long.parseLong(m.group(1));
        long b = Long.parseLong(m.group(3));
        String answer = ex.messages().get(q + 1).content().strip();
        if (!answer.equals(Long.toString(compute(a, sym, b)))) {
            return null;
        }
        long na = 0;
        long nb = 0;
        for (int tries = 0; ; tries++) {
            if (tries == REDRAWS) {
                return null;
            }
            na = sameDigits(m.group(1).length(), rng);
            nb = sameDigits(m.group(3).length(), rng);
            if (sym.equals("-") && a >= b && na < nb) {
                long t = na;
                na = nb;
                nb = t;
            }
            if (!excluded.contains(arithmeticKey(na, sym, nb))) {
                break;
            }
            counters.merge("augment.renumber.redrawn", 1L, Long::sum);
        }
        String newQ = question.substring(0, m.start(1)) + na + question.substring(m.end(1), m.start(3)) + nb
                + question.substring(m.end(3));
        List<ChatMessage> msgs = new ArrayList<>(ex.messages());
        msgs.set(q, new ChatMessage(ChatMessage.USER, newQ));
        msgs.set(q + 1, new ChatMessage(ChatMessage.ASSISTANT, Long.toString(compute(na, sym, nb))));
        return ex.withMessages(msgs);
    }

    /** A comparison question with two new numbers of the same digit counts, answered with the larger. */
    private static ChatExample renumberComparison(ChatExample ex, int q, Rng rng, Set<String> excluded,
                                                  Map<String, Long> counters) {
        String question = ex.messages().get(q).content();
        Matcher m = NUMBER.matcher(question);
        List<int[]> spans = new ArrayList<>();
        while (m.find()) {
            spans.add(new int[] {m.start(), m.end()});
        }
        long na;
        long nb;
        for (int tries = 0; ; tries++) {
            if (tries == REDRAWS) {
                return null;
            }
            na = sameDigits(spans.get(0)[1] - spans.get(0)[0], rng);
            nb = sameDigits(spans.get(1)[1] - spans.get(1)[0], rng);
            if (na != nb && !excluded.contains(comparisonKey(na, nb))) {
                break;
            }
            if (na != nb) {
                counters.merge("augment.renumber.redrawn", 1L, Long::sum);
            }
        }
        String newQ = question.substring(0, spans.get(0)[0]) + na + question.substring(spans.get(0)[1],
                spans.get(1)[0]) + nb + question.substring(spans.get(1)[1]);
        List<ChatMessage> msgs = new ArrayList<>(ex.messages());
        msgs.set(q, new ChatMessage(ChatMessage.USER, newQ));
        msgs.set(q + 1, new ChatMessage(ChatMessage.ASSISTANT, Long.toString(Math.max(na, nb))));
        return ex.withMessages(msgs);
    }

    /**
     * The two numbers of a "which is larger" question in the user turn {@code q} whose answer is the larger one
     * (so a wrong label is left alone), or null: exactly two different numbers, a larger-word, no smaller-word.
     */
    private static long[] comparison(ChatExample ex, int q) {
        String question = ex.messages().get(q).content();
        if (question.length() > 80 || !LARGER.matcher(question).find() || SMALLER.matcher(question).find()
                || EXPR.matcher(question).find()) {
            return null;
        }
        Matcher m = NUMBER.matcher(question);
        List<Long> nums = new ArrayList<>();
        while (m.find()) {
            nums.add(Long.parseLong(m.group()));
        }
        if (nums.size() != 2 || nums.get(0).equals(nums.get(1))) {
            return null;
        }
        String answer = ex.messages().get(q + 1).content().strip();
        if (!answer.equals(Long.toString(Math.max(nums.get(0), nums.get(1))))) {
            return null;
        }
        return new long[] {nums.get(0), nums.get(1)};
    }

    /**
     * The problem an example asks, whatever its wording, number order or case: {@code max:lo,hi} for a comparison,
     * {@code arith:a<op>b} for arithmetic ({@code +} and {@code *} with the operands sorted); null for any other
     * example. Renumbering never produces an excluded key; {@code wrong}-labelled examples have a key too, so a
     * held-out file's problems are excluded whatever its labels.
     */
    public static String problemKey(ChatExample ex) {
        int q = questionIndex(ex);
        if (q < 0) {
            return null;
        }
        String question = ex.messages().get(q).content();
        Matcher e = EXPR.matcher(question);
        if (e.find()) {
            return arithmeticKey(Long.parseLong(e.group(1)), symbol(e.group(2)), Long.parseLong(e.group(3)));
        }
        if (!LARGER.matcher(question).find() || SMALLER.matcher(question).find()) {
            return null;
        }
        Matcher m = NUMBER.matcher(question);
        List<Long> nums = new ArrayList<>();
        while (m.find()) {
            nums.add(Long.parseLong(m.group()));
        }
        return nums.size() == 2 ? comparisonKey(nums.get(0), nums.get(1)) : null;
    }

    private static String comparisonKey(long a, long b) {
        return "max:" + Math.min(a, b) + "," + Math.max(a, b);
    }

    private static String arithmeticKey(long a, String sym, long b) {
        boolean commutes = !sym.equals("-");
        long x = commutes ? Math.min(a, b) : a;
        long y = commutes ? Math.max(a, b) : b;
        return "arith:" + x + sym + y;
    }

    private static long sameDigits(int digits, Rng rng) {
        long lo = digits == 1 ? 0 : (long) Math.pow(10, digits - 1);
        long hi = (long) Math.pow(10, digits);
        return lo + rng.nextInt((int) (hi - lo));
    }

    // ------------------------------------------------------------------------------------------ choices, noise

    private static ChatExample shuffleChoices(ChatExample ex, Rng rng) {
        int q = questionIndex(ex);
        if (q < 0) {
            return null;
        }
        String question = ex.messages().get(q).content();
        Matcher la = LETTER.matcher(ex.messages().get(q + 1).content().strip());
        if (!la.matches()) {
            return null;
        }
        Matcher m = CHOICE.matcher(question);
        List<int[]> spans = new ArrayList<>();
        List<String> letters = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        while (m.find()) {
            spans.add(new int[] {m.start(), m.end()});
            letters.add(m.group(1));
            texts.add(m.group(2));
        }
        int right = letters.indexOf(la.group(1));
        if (texts.size() < 2 || right < 0) {
            return null;
        }
        int[] perm = new int[texts.size()];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        for (int i = perm.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        StringBuilder sb = new StringBuilder();
        int last = 0;
        String newAnswer = null;
        for (int i = 0; i < spans.size(); i++) {
            sb.append(question, last, spans.get(i)[0]);
            sb.append(letters.get(i)).append(") ").append(texts.get(perm[i]));
            if (perm[i] == right) {
                newAnswer = letters.get(i);
            }
            last = spans.get(i)[1];
        }
        sb.append(question.substring(last));
        List<ChatMessage> msgs = new ArrayList<>(ex.messages());
        msgs.set(q, new ChatMessage(ChatMessage.USER, sb.toString()));
        msgs.set(q + 1, new ChatMessage(ChatMessage.ASSISTANT, newAnswer));
        return ex.withMessages(msgs);
    }

    /** Every non-blank user turn through {@code f}, with a stream drawn from {@code rng}; null if none changed. */
    private static ChatExample userTurns(ChatExample ex, Rng rng, BiFunction<String, SplittableRandom, String> f) {
        SplittableRandom r = new SplittableRandom(rng.nextLong());
        List<ChatMessage> msgs = new ArrayList<>(ex.messages());
        boolean any = false;
        for (int i = 0; i < msgs.size(); i++) {
            ChatMessage m = msgs.get(i);
            if (!ChatMessage.USER.equals(m.role()) || m.content().isBlank()) {
                continue;
            }
            String s = f.apply(m.content(), r);
            any |= !s.equals(m.content());
            msgs.set(i, new ChatMessage(m.role(), s));
        }
        return any ? ex.withMessages(msgs) : null;
    }

    private static ChatExample replace(ChatExample ex, int index, String text) {
        List<ChatMessage> msgs = new ArrayList<>(ex.messages());
        msgs.set(index, new ChatMessage(msgs.get(index).role(), text));
        return ex.withMessages(msgs);
    }

    private static long mix(long seed, int i, int c) {
        long z = seed * 0x9E3779B97F4A7C15L + i * 0xBF58476D1CE4E5B9L + c * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
