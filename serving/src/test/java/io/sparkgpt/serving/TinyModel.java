package io.sparkgpt.serving;

import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.BpeTrainer;
import io.sparkgpt.tokenizer.PreTokenizer;
import io.sparkgpt.tokenizer.TokenizerFiles;
import io.sparkgpt.tokenizer.chat.ChatTokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A run folder with a tiny random GPT ({@code model/model.ckpt}) and a tiny BPE tokenizer, made in a test. */
final class TinyModel {
    static final String TEXT = "the cat sat on the mat. the dog sat on the log. a bird sang in the tree. ";

    private TinyModel() {}

    /** @param specials special tokens of the tokenizer (empty = none: nothing ends a sequence but its length) */
    static Path write(Path runDir, int blockSize, int nEmbd, List<String> specials) {
        return write(runDir, blockSize, nEmbd, specials, false);
    }

    /** @param chat add the chat tokens (the tokenizer of a post-trained model) */
    static Path write(Path runDir, int blockSize, int nEmbd, List<String> specials, boolean chat) {
        BpeTokenizer tok = new BpeTrainer(new BpeTrainer.Config(300, 2, PreTokenizer.GPT2, specials))
                .train(BpeTrainer.countWords(List.of(TEXT.repeat(40)), PreTokenizer.GPT2)).tokenizer();
        if (chat) {
            tok = ChatTokens.addTo(tok);
        }
        Path tokDir = runDir.resolve("tokenizer");
        TokenizerFiles.save(tok, tokDir);
        GPTConfig cfg = new GPTConfig(tok.vocabSize(), blockSize, 2, 2, nEmbd, 0.0, true, true);
        try (GPT gpt = GPT.create(cfg, 7)) {
            Checkpoint c = new Checkpoint(cfg, TrainConfig.defaults(), 0, gpt.params(), null, 0, 0, List.of(),
                    Double.NaN, 0, Map.of("tokenizer", tokDir.toString()));
            Files.createDirectories(runDir.resolve("model"));
            Files.write(runDir.resolve("model").resolve(ServedModel.CHECKPOINT), c.toBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return runDir;
    }
}
