package io.sparkgpt.trainer.batch;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.Sampler;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.model.infer.InferSampler;
import io.sparkgpt.model.infer.InferenceModel;
import io.sparkgpt.model.infer.Precision;
import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.BpeTrainer;
import io.sparkgpt.tokenizer.PreTokenizer;
import io.sparkgpt.tokenizer.TokenizerFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * bench/batch-inference/run.sh: PROMPTS prompts of Shakespeare, NEW tokens each (no stop token, so both sides make
 * the same number of tokens), on a random GPT (C, L, T from args) with a BPE tokenizer trained on the text.
 * (a) one JVM generating alone: {@link InferSampler} one prompt after another, no Spark; (b) {@link GenerateJob} in
 * local[CORES] mode, batch 16. Prints prompts/s and tokens/s of both; the last line is the ratio of tokens/s.
 * The job's figure is its generation action only (stats.json "seconds"), the model load and Spark start excluded.
 */
public final class BatchInferenceBench {
    public static void main(String[] args) throws Exception {
        Path text = Path.of(args[0]);
        Path work = Files.createTempDirectory("batch-bench");
        int prompts = Integer.parseInt(args[1]), newTokens = Integer.parseInt(args[2]);
        int C = Integer.parseInt(args[3]), L = Integer.parseInt(args[4]), T = Integer.parseInt(args[5]);
        String corpus = Files.readString(text);
        BpeTokenizer tok = new BpeTrainer(BpeTrainer.Config.of(1024, PreTokenizer.GPT2))
                .train(BpeTrainer.countWords(List.of(corpus.substring(0, Math.min(corpus.length(), 200_000))), PreTokenizer.GPT2)).tokenizer();
        Path run = work.resolve("run");
        TokenizerFiles.save(tok, run.resolve("tokenizer"));
        GPT gpt = GPT.create(new GPTConfig(tok.vocabSize(), T, L, 4, C, 0, false, true), 1);
        String ckpt = run.resolve("model/model.ckpt").toString();
        Checkpoint.of(gpt, TrainConfig.defaults(), 0, List.of(), Double.MAX_VALUE, 0, Map.of())
                .save(Storage.local(), ckpt);
        gpt.close();
        String[] lines = corpus.split("\n");
        List<String> ps = new ArrayList<>();
        StringBuilder in = new StringBuilder();
        for (int i = 0, j = 0; ps.size() < prompts; j++) {
            String l = lines[j].trim();
            if (l.length() > 20) {
                ps.add(l);
                in.append(Json.writeLine(Map.of("prompt", l))).append('\n');
            }
        }
        Path input = work.resolve("prompts.jsonl");
        Files.writeString(input, in.toString());

        long tokens = 0;
        try (InferenceModel m = InferenceModel.load(ckpt, Precision.FLOAT32)) {
            InferSampler.generate(m, tok.encode(ps.get(0)), new Sampler.Options(newTokens, 0.8, 200, 1.0, 0, -1, true));
            long t0 = System.nanoTime();
            for (int i = 0; i < ps.size(); i++) {
                tokens += InferSampler.generate(m, tok.encode(ps.get(i)),
                        new Sampler.Options(newTokens, 0.8, 200, 1.0, i, -1, true)).length;
            }
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("one JVM alone (InferSampler, one prompt at a time): %d prompts, %d tokens in %.2f s: "
                    + "%.1f prompts/s, %.1f tokens/s%n", ps.size(), tokens, s, ps.size() / s, tokens / s);
            double alone = tokens / s;
            int rc = Cli.execute(new GenerateJob(), new String[] {"--model", run.toString(), "--input",
                input.toString(), "--output", work.resolve("out").toString(), "--max-new-tokens",
                String.valueOf(newTokens), "--batch-size", "16", "--partitions",
                String.valueOf(Runtime.getRuntime().availableProcessors())});
            if (rc != 0) {
                throw new IllegalStateException("generate failed: " + rc);
            }
            JsonNode st = Json.mapper().readTree(work.resolve("out/stats.json").toFile());
            System.out.printf("generate job (%s, batch 16): %d prompts, %d tokens in %.2f s: %.1f prompts/s, "
                    + "%.1f tokens/s%n", System.getProperty("spark.master"), st.get("kept").asLong(),
                    st.get("new_tokens").asLong(), st.get("seconds").asDouble(), st.get("rows_per_s").asDouble(),
                    st.get("tokens_per_s").asDouble());
            System.out.printf("ratio=%.2f%n", st.get("tokens_per_s").asDouble() / alone);
        }
    }
}
