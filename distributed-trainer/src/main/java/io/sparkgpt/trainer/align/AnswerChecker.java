package io.sparkgpt.trainer.align;

import io.sparkgpt.model.align.RewardSource;
import io.sparkgpt.tokenizer.chat.ChatTemplate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A verifiable reward: 1 when the reply's last number equals the reference answer's number (after GSM8K's
 * {@code ####} if present, else its last number), else 0. Works for arithmetic chat tasks and GSM8K-style answers.
 */
public final class AnswerChecker implements RewardSource {
    private static final Pattern NUMBER = Pattern.compile("-?\\d[\\d,]*(?:\\.\\d+)?");

    private final transient ChatTemplate template;
    private final Map<String, String> answers; // prompt ids (Arrays.toString) -> reference answer text

    public AnswerChecker(ChatTemplate template, Map<String, String> answers) {
        this.template = template;
        this.answers = Map.copyOf(answers);
    }

    /** A checker of {@code prompts}' replies against their completions. */
    public static AnswerChecker of(ChatTemplate template, List<AlignData.Prompt> prompts) {
        Map<String, String> answers = new java.util.HashMap<>();
        for (AlignData.Prompt p : prompts) {
            answers.put(Arrays.toString(p.ids()), p.answer());
        }
        return new AnswerChecker(template, answers);
    }

    /** The number a text ends with (GSM8K: the one after {@code ####}), normalised; null when it has none. */
    public static String finalNumber(String text) {
        int hash = text.lastIndexOf("####");
        String s = hash >= 0 ? text.substring(hash + 4) : text;
        Matcher m = NUMBER.matcher(s);
        String last = null;
        while (m.find()) {
            last = m.group();
            if (hash >= 0) {
                break; // the first number after ####
            }
        }
        if (last == null) {
            return null;
        }
        String n = last.replace(",", "");
        if (n.contains(".")) {
            n = n.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return n;
    }

    /** 1 if {@code reply}'s final number is {@code answer}'s, else 0. */
    public static double check(String reply, String answer) {
        String want = finalNumber(answer);
        String got = finalNumber(reply);
        return want != null && want.equals(got) ? 1.0 : 0.0;
    }

    @Override
    public double[] score(List<int[]> prompts, List<int[]> responses) {
        double[] s = new double[prompts.size()];
        for (int i = 0; i < s.length; i++) {
            String answer = answers.get(Arrays.toString(prompts.get(i)));
            if (answer == null) {
                throw new IllegalArgumentException("no reference answer for prompt " + i);
            }
            s[i] = check(template.decodeReply(responses.get(i)), answer);
        }
        return s;
    }
}
