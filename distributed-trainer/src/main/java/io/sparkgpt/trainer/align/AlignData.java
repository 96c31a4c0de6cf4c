package io.sparkgpt.trainer.align;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.model.align.PreferenceTokens;
import io.sparkgpt.model.align.Sequence;
import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.TokenizerFiles;
import io.sparkgpt.tokenizer.chat.BadRecords;
import io.sparkgpt.tokenizer.chat.ChatExample;
import io.sparkgpt.tokenizer.chat.ChatJsonl;
import io.sparkgpt.tokenizer.chat.ChatTemplate;
import io.sparkgpt.tokenizer.chat.ChatTokens;
import io.sparkgpt.tokenizer.chat.PreferencePair;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The alignment jobs' input: JSONL read by the chat module's parser ({@link ChatJsonl}: preference pairs in TRL's
 * and hh-rlhf's formats, prompt/completion records), rendered with the chat template, fitted to the context and
 * split into train and held-out by a hash of the record's content (so the split never changes when the file grows
 * or is reordered). Every record left out is named (file:line) and counted in a {@link BadRecords}.
 */
public final class AlignData {
    /** A record whose prompt leaves no room for a response in the context. */
    public static final String TOO_LONG = BadRecords.PROMPT_TOO_LONG;

    private AlignData() {}

    /** Train and held-out halves. */
    public record Split<T>(List<T> train, List<T> val) {}

    /** The tokenizer folder's BPE with the chat tokens added (a no-op when it has them). */
    public static ChatTemplate template(Storage storage, String tokenizerDir) {
        storage.requireExists("tokenizer", Storage.child(tokenizerDir, TokenizerFiles.VOCAB));
        String tj = Storage.child(tokenizerDir, TokenizerFiles.TOKENIZER_JSON);
        BpeTokenizer base = TokenizerFiles.fromStrings(
                storage.readString(Storage.child(tokenizerDir, TokenizerFiles.VOCAB)),
                storage.readString(Storage.child(tokenizerDir, TokenizerFiles.MERGES)),
                storage.exists(tj) ? storage.readString(tj) : null, tokenizerDir);
        return new ChatTemplate(ChatTokens.addTo(base));
    }

    static BufferedReader open(Storage storage, String path) {
        storage.requireExists("input", path);
        try {
            return ChatJsonl.reader(new ByteArrayInputStream(storage.readAll(path)), path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    /**
     * Preference pairs of {@code path}, tokenized: prompt + chosen and prompt + rejected. A prompt longer than the
     * context is skipped as {@link #TOO_LONG}; a pair whose prompt fits but whose prompt + response does not keeps
     * its last {@code blockSize} tokens (the prompt is cut from the left, both sequences of the pair the same way)
     * when both responses fit with at least one prompt token, and is skipped as {@link #TOO_LONG} otherwise. {@code valPercent} of the pairs (by hash) go to the held-out half.
     */
    public static Split<PreferenceTokens> preferences(Storage storage, String path, ChatTemplate t, int blockSize,
                                                      int valPercent, BadRecords bad) {
        List<PreferencePair> pairs;
        try (BufferedReader r = open(storage, path)) {
            pairs = ChatJsonl.readPreferences(r, path, bad);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
        List<PreferenceTokens> train = new ArrayList<>(), val = new ArrayList<>();
        for (PreferencePair p : pairs) {
            Sequence c, rj;
            try {
                c = sequence(t.render(p.chosenExample()));
                rj = sequence(t.render(p.rejectedExample()));
            } catch (IllegalArgumentException e) { // an unknown role, an empty turn list
                bad.add(p.origin(), BadRecords.UNKNOWN_ROLE, e.getMessage());
                continue;
            }
            int cut = Math.max(0, Math.max(c.length(), rj.length()) - blockSize);
            if (c.responseStart() >= blockSize || cut >= Math.min(c.responseStart(), rj.responseStart())) {
                bad.add(p.origin(), TOO_LONG, "prompt of " + c.responseStart() + " tokens and responses of "
                        + c.responseLength() + "/" + rj.responseLength() + " do not fit the context of " + blockSize);
                continue;
            }
            PreferenceTokens pt = new PreferenceTokens(p.origin(), cutLeft(c, cut), cutLeft(rj, cut));
            (heldOut(Arrays.toString(c.ids()) + "|" + Arrays.toString(rj.ids()), valPercent) ? val : train).add(pt);
        }
        return new Split<>(train, val);
    }

    /**
     * Prompts (with their reference answer, the completion's text) of a prompt/completion or messages JSONL, for
     * PPO. A prompt longer than {@code blockSize - maxNewTokens} is skipped as {@link #TOO_LONG}.
     */
    public static Split<Prompt> prompts(Storage storage, String path, ChatTemplate t, int blockSize,
                                        int maxNewTokens, int valPercent, BadRecords bad) {
        List<ChatExample> ex;
        try (BufferedReader r = open(storage, path)) {
            ex = ChatJsonl.readExamples(r, path, bad);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
        List<Prompt> train = new ArrayList<>(), val = new ArrayList<>();
        for (ChatExample e : ex) {
            int first = Math.max(e.firstTarget(), 0);
            int lastUser = first;
            while (lastUser < e.messages().size() && !e.messages().get(lastUser).isAssistant()) {
                lastUser++;
            }
            if (lastUser == 0 || lastUser >= e.messages().size()) {
                bad.add(e.origin(), BadRecords.NO_ASSISTANT_TURN, "no prompt before an assistant turn");
                continue;
            }
            int[] ids;
            try {
                ids = t.renderPrompt(e.messages().subList(0, lastUser));
            } catch (IllegalArgumentException x) {
                bad.add(e.origin(), BadRecords.UNKNOWN_ROLE, x.getMessage());
                continue;
            }
            if (ids.length + maxNewTokens > blockSize) {
                bad.add(e.origin(), TOO_LONG, "prompt of " + ids.length + " tokens + " + maxNewTokens
                        + " new tokens exceed the context of " + blockSize);
                continue;
            }
            Prompt p = new Prompt(e.origin(), ids, e.messages().get(lastUser).content());
            (heldOut(Arrays.toString(ids) + "|" + p.answer(), valPercent) ? val : train).add(p);
        }
        return new Split<>(train, val);
    }

    /** A PPO prompt: its ids (ending with the assistant header) and the reference answer text. */
    public record Prompt(String origin, int[] ids, String answer) implements java.io.Serializable {}

    /** The rendered conversation as a sequence whose response starts at the first target token. */
    static Sequence sequence(ChatTemplate.Rendered r) {
        int first = r.firstTarget();
        if (first <= 0 || first >= r.ids().length) {
            throw new IllegalArgumentException("no response tokens to score");
        }
        return new Sequence(r.ids(), first);
    }

    static Sequence cutLeft(Sequence s, int cut) {
        return cut == 0 ? s : new Sequence(Arrays.copyOfRange(s.ids(), cut, s.length()), s.responseStart() - cut);
    }

    /** True for about {@code valPercent}% of keys, by SHA-256: stable across runs, files and orderings. */
    public static boolean heldOut(String key, int valPercent) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            int v = ((h[0] & 0xFF) << 8 | (h[1] & 0xFF)) % 100;
            return v < valPercent;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code items} dealt round-robin into {@code workers} lists (the shards). */
    public static <T> List<ArrayList<T>> deal(List<T> items, int workers) {
        List<ArrayList<T>> out = new ArrayList<>();
        for (int k = 0; k < workers; k++) {
            out.add(new ArrayList<>());
        }
        for (int i = 0; i < items.size(); i++) {
            out.get(i % workers).add(items.get(i));
        }
        for (int k = 0; k < workers; k++) {
            if (out.get(k).isEmpty()) {
                throw new UsageException("worker " + k + " would get no training examples: " + items.size()
                        + " examples for " + workers + " workers");
            }
        }
        return out;
    }
}
