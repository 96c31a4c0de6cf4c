package io.sparkgpt.model.export;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.model.GPT;
import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.TokenizerFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A Hugging Face model folder in GPT-2's layout: {@code model.safetensors}, {@code config.json},
 * {@code generation_config.json}, and the tokenizer as {@code tokenizer.json}, {@code vocab.json},
 * {@code merges.txt}, {@code tokenizer_config.json}, {@code special_tokens_map.json}: what
 * {@code GPT2LMHeadModel.from_pretrained(dir)}, {@code AutoTokenizer.from_pretrained(dir)} and llama.cpp's
 * {@code convert_hf_to_gguf.py} read.
 */
public final class HfExport {
    private HfExport() {}

    /** Writes the model (and the tokenizer when not null) into {@code dir}; returns the files written. */
    public static java.util.List<String> write(GPT gpt, BpeTokenizer tokenizer, Path dir) {
        if (tokenizer != null && tokenizer.vocabSize() > gpt.config().vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize() + " ids, the model only "
                    + gpt.config().vocabSize() + ": not this model's tokenizer");
        }
        try {
            Files.createDirectories(dir);
            int eot = tokenizer != null ? tokenizer.eotId() : -1;
            Safetensors.write(dir.resolve(HfGpt2.WEIGHTS), HfGpt2.tensors(gpt), Map.of("format", "pt"));
            writeJson(dir.resolve(HfGpt2.CONFIG), HfGpt2.config(gpt.config(), eot));
            ObjectNode gen = Json.mapper().createObjectNode();
            if (eot >= 0) {
                gen.put("bos_token_id", eot);
                gen.put("eos_token_id", eot);
            }
            gen.put("_from_model_config", true);
            writeJson(dir.resolve("generation_config.json"), gen);
            if (tokenizer == null) {
                return java.util.List.of(HfGpt2.WEIGHTS, HfGpt2.CONFIG, "generation_config.json");
            }
            TokenizerFiles.save(tokenizer, dir);
            String eotText = null;
            for (Map.Entry<String, Integer> e : tokenizer.specialTokens().entrySet()) {
                if (e.getValue() == eot) {
                    eotText = e.getKey();
                }
            }
            ObjectNode tc = Json.mapper().createObjectNode();
            tc.put("tokenizer_class", "GPT2Tokenizer");
            tc.put("model_max_length", gpt.config().blockSize());
            tc.put("add_prefix_space", false);
            tc.put("clean_up_tokenization_spaces", false);
            ObjectNode special = Json.mapper().createObjectNode();
            if (eotText != null) {
                for (String k : new String[] {"bos_token", "eos_token", "unk_token"}) {
                    tc.put(k, eotText);
                    special.put(k, eotText);
                }
            }
            writeJson(dir.resolve("tokenizer_config.json"), tc);
            writeJson(dir.resolve("special_tokens_map.json"), special);
            return java.util.List.of(HfGpt2.WEIGHTS, HfGpt2.CONFIG, "generation_config.json",
                    TokenizerFiles.TOKENIZER_JSON, TokenizerFiles.VOCAB, TokenizerFiles.MERGES,
                    "tokenizer_config.json", "special_tokens_map.json");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir, e);
        }
    }

    private static void writeJson(Path file, ObjectNode node) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n");
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
