package io.sparkgpt.trainer.align;

import io.sparkgpt.common.io.Storage;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.BpeTrainer;
import io.sparkgpt.tokenizer.PreTokenizer;
import io.sparkgpt.tokenizer.TokenizerFiles;
import io.sparkgpt.tokenizer.chat.ChatTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Tiny inputs for the alignment jobs: a small BPE (with the chat tokens), a tiny random GPT as --init, preference
 * JSONL in two formats (with bad lines of each kind) and arithmetic prompt/completion JSONL.
 */
public final class AlignTestData {
    private AlignTestData() {}

    static final String TEXT = "the cat sat on the mat. what is one plus two? the answer is 3. good answer, bad answer, "
            + "I can help with that. I will not help with that. 0 1 2 3 4 5 6 7 8 9 plus minus";

    /** The inputs of the jobs' tests: 40 preference records and 40 arithmetic prompts (each with bad lines). */
    public record Inputs(Path prefs, Path arith) {}

    /**
     * The jobs' tests' set-up: the jobs run in local[2] without the UI, and {@code dir} holds tokenizer/, init.ckpt
     * (context 48) and the inputs.
     */
    public static Inputs forLocalJobs(Path dir) throws Exception {
        System.setProperty("spark.master", "local[2]");
        System.setProperty("spark.ui.enabled", "false");
        tokenizerAndInit(dir, 48);
        return new Inputs(preferences(dir, 40), arithmetic(dir, 40));
    }

    /** Writes tokenizer/ and init.ckpt under {@code dir}; returns the vocabulary size with the chat tokens. */
    public static int tokenizerAndInit(Path dir, int blockSize) {
        BpeTokenizer base = new BpeTrainer(new BpeTrainer.Config(300, 1, PreTokenizer.GPT2,
                List.of(BpeTokenizer.END_OF_TEXT))).train(BpeTrainer.countWords(List.of(TEXT), PreTokenizer.GPT2))
                .tokenizer();
        TokenizerFiles.save(base, dir.resolve("tokenizer"));
        int vocab = ChatTokens.addTo(base).vocabSize();
        // the init model knows only the base vocabulary: the jobs grow it for the chat tokens
        try (GPT g = GPT.create(new GPTConfig(base.vocabSize(), blockSize, 1, 2, 16, 0.0, false, true), 5)) {
            Checkpoint.of(g, null, 0, List.of(), Double.MAX_VALUE, 0, Map.of())
                    .save(Storage.local(), dir.resolve("init.ckpt").toString());
        }
        return vocab;
    }

    /** Preference pairs in TRL's explicit-prompt form and in hh-rlhf's form, plus one bad line of each kind. */
    public static Path preferences(Path dir, int n) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String q = "what is " + (i % 10) + " plus " + (i % 7) + "?";
            if (i % 2 == 0) {
                lines.add("{\"prompt\": \"" + q + "\", \"chosen\": \"I can help with that. good answer\", "
                        + "\"rejected\": \"I will not help with that.\"}");
            } else {
                lines.add("{\"chosen\": \"\\n\\nHuman: " + q + "\\n\\nAssistant: good answer, the cat\", "
                        + "\"rejected\": \"\\n\\nHuman: " + q + "\\n\\nAssistant: bad answer, the mat\"}");
            }
        }
        lines.add(3, "this line is not json");
        lines.add(5, "{\"prompt\": \"a\", \"chosen\": \"b\"}"); // missing rejected
        lines.add(7, "{\"prompt\": [], \"chosen\": [], \"rejected\": []}"); // empty conversation
        lines.add(9, "{\"prompt\": [{\"role\": \"wizard\", \"content\": \"hi\"}], \"chosen\": [{\"role\": "
                + "\"assistant\", \"content\": \"a\"}], \"rejected\": [{\"role\": \"assistant\", \"content\": \"b\"}]}");
        lines.add(11, "{\"prompt\": \"" + "the cat sat on the mat. ".repeat(40) + "\", \"chosen\": \"good\", "
                + "\"rejected\": \"bad\"}"); // longer than the context
        Path f = dir.resolve("prefs.jsonl");
        Files.write(f, lines);
        return f;
    }

    /** Arithmetic prompts with their answers, plus a bad line and an over-long prompt. */
    public static Path arithmetic(Path dir, int n) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int a = i % 5, b = (i / 5) % 5;
            lines.add("{\"prompt\": \"what is " + a + " plus " + b + "?\", \"completion\": \"" + (a + b) + "\"}");
        }
        lines.add(2, "{not json");
        lines.add(4, "{\"prompt\": \"" + "the cat sat on the mat. ".repeat(40) + "\", \"completion\": \"1\"}");
        Path f = dir.resolve("arith.jsonl");
        Files.write(f, lines);
        return f;
    }
}
