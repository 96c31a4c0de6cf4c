package io.sparkgpt.model.cli;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.Sampler;
import io.sparkgpt.model.TokenWindows;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.model.TrainLoop;
import io.sparkgpt.model.data.CharVocab;
import io.sparkgpt.model.data.TokenBin;
import io.sparkgpt.model.infer.InferSampler;
import io.sparkgpt.model.infer.InferenceModel;
import io.sparkgpt.model.infer.ModelFile;
import io.sparkgpt.tokenizer.Tokenizer;
import io.sparkgpt.tokenizer.TokenizerFiles;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gpt train | eval | sample}: the single-machine GPT tool. Data is either llm.c token shards ({@code .bin},
 * a file, a comma-separated list or a folder of them) or a plain text file, which gets nanoGPT's character
 * vocabulary (saved in the checkpoint as meta {@code char_vocab}).
 */
@Command(name = "gpt", mixinStandardHelpOptions = true,
        subcommands = {GptMain.Train.class, GptMain.Eval.class, GptMain.Sample.class, ExportCommand.class,
            ImportCommand.class, LogitsCommand.class},
        description = "Train, evaluate and sample a GPT (no Spark).")
public final class GptMain implements Callable<Integer> {

    public static void main(String[] args) {
        Cli.main(new GptMain(), args);
    }

    @Override
    public Integer call() {
        throw new UsageException("choose a command: train, eval, sample, export, import or logits (see --help)");
    }

    static final String CHAR_VOCAB = "char_vocab";
    static final String TOKENIZER = "tokenizer";

    /** The BPE tokenizer in {@code dir} (vocab.json + merges.txt), or a usage error naming it. */
    static Tokenizer tokenizer(String dir) {
        try {
            return TokenizerFiles.load(java.nio.file.Path.of(dir));
        } catch (RuntimeException e) {
            throw new UsageException("tokenizer " + dir + " cannot be loaded: " + e.getMessage(), e);
        }
    }

    /** Tokens of a data spec plus, for text, its character vocabulary. */
    record Data(int[] tokens, CharVocab vocab, long bytes) {}

    static Data load(Storage st, String spec, CharVocab vocab) {
        if (isBin(st, spec)) {
            int[][] parts = Arrays.stream(binFiles(st, spec)).map(f -> TokenBin.read(st, f)).toArray(int[][]::new);
            int[] all = new int[Arrays.stream(parts).mapToInt(a -> a.length).sum()];
            int o = 0;
            for (int[] p : parts) {
                System.arraycopy(p, 0, all, o, p.length);
                o += p.length;
            }
            return new Data(all, null, -1);
        }
        st.requireExists("data", spec);
        String text = st.readString(spec);
        CharVocab v = vocab != null ? vocab : CharVocab.of(text);
        return new Data(v.encode(text), v, text.getBytes(StandardCharsets.UTF_8).length);
    }

    /** A checkpoint, or a one-line usage error naming the file (missing, truncated, corrupt, not a checkpoint). */
    static Checkpoint loadCheckpoint(Storage st, String path) {
        st.requireExists("checkpoint", path);
        try {
            return Checkpoint.load(st, path);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    /** The compressed model file at {@code path}, or null when it is something else (a training checkpoint). */
    static ModelFile loadModelFile(Storage st, String path) {
        st.requireExists("checkpoint", path);
        byte[] bytes = st.readAll(path);
        if (!ModelFile.isModelFile(bytes)) {
            return null;
        }
        try {
            return ModelFile.fromBytes(bytes, path);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    static boolean isBin(Storage st, String spec) {
        if (spec.contains(",") || spec.endsWith(".bin")) {
            return true;
        }
        st.requireExists("data", spec);
        try {
            return st.fs(spec).getFileStatus(new Path(spec)).isDirectory();
        } catch (java.io.IOException e) {
            throw new UsageException("data " + spec + " cannot be read: " + e.getMessage());
        }
    }

    static String[] binFiles(Storage st, String spec) {
        if (spec.contains(",")) {
            String[] fs = spec.split(",");
            for (String f : fs) {
                st.requireExists("token shard", f);
            }
            return fs;
        }
        st.requireExists("data", spec);
        try {
            FileStatus s = st.fs(spec).getFileStatus(new Path(spec));
            if (!s.isDirectory()) {
                return new String[] {spec};
            }
            String[] fs = Arrays.stream(st.fs(spec).listStatus(new Path(spec)))
                    .map(x -> x.getPath().toString()).filter(n -> n.endsWith(".bin")).sorted().toArray(String[]::new);
            if (fs.length == 0) {
                throw new UsageException("data folder " + spec + " holds no .bin token shards");
            }
            return fs;
        } catch (java.io.IOException e) {
            throw new UsageException("data " + spec + " cannot be read: " + e.getMessage());
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "Train a GPT (AdamW, warmup + cosine, clipping, accumulation, eval, early stopping, "
                    + "checkpoints, --resume).")
    static final class Train implements Callable<Integer> {
        @Option(names = "--data", required = true, description = "text file (character level) or .bin shard(s)")
        String data;
        @Option(names = "--val-data", description = "validation data (default: the last --val-fraction of --data)")
        String valData;
        @Option(names = "--val-fraction", defaultValue = "0.1") double valFraction;
        @Mixin
        RunOptions run = new RunOptions();
        @Option(names = "--init", description = "start from this checkpoint's parameters (e.g. what `gpt import` "
                + "made from Hugging Face GPT-2 weights): the model's shape comes from it, --dropout and the training "
                + "settings from the options") String init;
        @Option(names = "--tokenizer", description = "tokenizer folder of the .bin data (saved in the checkpoint "
                + "for eval and sample)")
        String tokenizerDir;
        @Mixin
        ModelShapeOptions shape = new ModelShapeOptions();
        @Option(names = "--bias", description = "biases in linears and LayerNorms") boolean bias;
        @Option(names = "--untied", description = "separate LM head matrix") boolean untied;
        @Option(names = "--gelu", defaultValue = "tanh", description = "tanh (GPT-2's approximation) or exact "
                + "(x * Phi(x), PyTorch's default, as nanoGPT trains)") String gelu;
        @Mixin
        OptimizerOptions opt = new OptimizerOptions();
        @Option(names = "--max-steps", defaultValue = "2000") int maxSteps;
        @Option(names = "--decay-embeddings", description = "also decay the token and position embeddings, as "
                + "nanoGPT does (default: only the 2-D block weights)") boolean decayEmbeddings;
        @Option(names = "--micro-batch", defaultValue = "0", description = "0 = the whole --batch-size")
        int microBatch;
        @Option(names = "--eval-interval", defaultValue = "250") int evalInterval;
        @Option(names = "--eval-steps", defaultValue = "20") int evalSteps;
        @Option(names = "--patience", defaultValue = "0", description = "0 = no early stopping") int patience;
        @Option(names = "--checkpoint-interval", defaultValue = "0", description = "0 = at each evaluation")
        int checkpointInterval;
        @Option(names = "--log-interval", defaultValue = "10") int logInterval;
        @Option(names = "--stop-after", defaultValue = "0", description = "stop (with a checkpoint) after this step")
        long stopAfter;
        @Option(names = "--threads", defaultValue = "0", description = "worker threads, each a share of every "
                + "micro-batch with a one-thread OpenBLAS (0 = the available processors)")
        int threads;
        @Option(names = "--blas-threads", defaultValue = "0", description = "OpenBLAS threads with --threads 1 "
                + "(0 = OpenBLAS's default)")
        int blasThreads;

        @Override
        public Integer call() {
            Storage st = Storage.local();
            String ckptPath = Storage.child(run.output, TrainLoop.CHECKPOINT);
            Checkpoint ckpt = null;
            if (run.resume) {
                ckpt = loadCheckpoint(st, ckptPath);
            } else if (st.exists(ckptPath) && !run.overwrite) {
                throw new UsageException("output " + run.output
                        + " already holds a checkpoint: pass --resume or --overwrite");
            }
            st.requireWritable(run.output);
            if (threads < 0 || blasThreads < 0 || (blasThreads > 1 && threads != 1)) {
                throw new UsageException("--threads " + threads + " --blas-threads " + blasThreads + ": both >= 0, "
                        + "and more than one BLAS thread only with --threads 1");
            }
            CharVocab vocab = ckpt != null && ckpt.meta().containsKey(CHAR_VOCAB)
                    ? CharVocab.fromChars(ckpt.meta().get(CHAR_VOCAB)) : null;
            Data all = load(st, data, vocab);
            int[] trainTok = all.tokens(), valTok;
            if (valData != null) {
                valTok = load(st, valData, all.vocab()).tokens();
            } else {
                int n = (int) Math.round(trainTok.length * (1 - valFraction));
                valTok = valFraction > 0 ? Arrays.copyOfRange(trainTok, n, trainTok.length) : null;
                trainTok = Arrays.copyOfRange(trainTok, 0, n);
            }
            GPTConfig cfg;
            TrainConfig tc;
            Checkpoint initCkpt = init != null && ckpt == null ? loadCheckpoint(st, init) : null;
            if (ckpt != null) {
                cfg = ckpt.config();
                tc = ckpt.train();
            } else {
                int v = all.vocab() != null ? all.vocab().size()
                        : shape.vocabSize > 0 ? shape.vocabSize
                        : tokenizerDir != null ? tokenizer(tokenizerDir).vocabSize()
                        : Arrays.stream(trainTok).max().orElse(0) + 1;
                try {
                    if (!gelu.equals("tanh") && !gelu.equals("exact")) {
                        throw new IllegalArgumentException("--gelu " + gelu + ": expected tanh or exact");
                    }
                    cfg = initCkpt != null ? initCkpt.config().withDropout(shape.dropout)
                            : new GPTConfig(v, shape.blockSize, shape.nLayer, shape.nHead, shape.nEmbd, shape.dropout,
                                    bias, !untied,
                                    gelu.equals("exact"));
                    if (initCkpt != null && trainTok.length > 0
                            && Arrays.stream(trainTok).max().getAsInt() >= cfg.vocabSize()) {
                        throw new IllegalArgumentException("--data holds ids >= the --init model's vocabulary "
                                + cfg.vocabSize());
                    }
                    tc = TrainConfig.defaults().withEval(evalInterval, evalSteps).withPatience(patience)
                            .withSeed(run.seed).withCheckpointInterval(checkpointInterval)
                            .withDecayEmbeddings(decayEmbeddings);
                } catch (IllegalArgumentException e) {
                    throw new UsageException(e.getMessage(), e);
                }
                tc = opt.trainConfig(tc, maxSteps, microBatch > 0 ? microBatch : opt.batchSize);
            }
            Map<String, String> meta = new HashMap<>();
            if (all.vocab() != null) {
                meta.put(CHAR_VOCAB, all.vocab().chars());
            }
            meta.put("data", data);
            if (tokenizerDir != null) {
                meta.put(TOKENIZER, tokenizerDir);
            } else if (ckpt != null && ckpt.meta().containsKey(TOKENIZER)) {
                meta.put(TOKENIZER, ckpt.meta().get(TOKENIZER));
            } else if (initCkpt != null && initCkpt.meta().containsKey(TOKENIZER)) {
                meta.put(TOKENIZER, initCkpt.meta().get(TOKENIZER));
            }
            try (GPT gpt = GPT.create(cfg, tc.seed())) {
                gpt.setThreads(threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
                if (blasThreads > 0 && gpt.threads() == 1) {
                    GPT.setBlasThreads(blasThreads);
                }
                System.err.printf("model: %s, %,d parameters; train %,d tokens, val %s tokens; batch %d x %d "
                        + "(micro %d); threads %d, BLAS threads %s%n", cfg, gpt.numParams(), trainTok.length,
                        valTok == null ? "no" : String.format("%,d", valTok.length), tc.batchSize(),
                        cfg.blockSize(), tc.microBatchSize(), gpt.threads(),
                        gpt.threads() > 1 ? "1 per worker" : String.valueOf(GPT.blasThreads()));
                if (initCkpt != null) {
                    gpt.setParams(initCkpt.params());
                    System.err.println("initialised from " + init);
                }
                TrainLoop loop = new TrainLoop(gpt, tc, trainTok, valTok, st, run.output, System.err, meta)
                        .logInterval(logInterval);
                if (ckpt != null) {
                    loop.resume(ckpt, ckptPath);
                    System.err.printf("resumed at step %d from %s%n", loop.step(), ckptPath);
                }
                TrainLoop.Result r = loop.run(stopAfter > 0 ? stopAfter : Long.MAX_VALUE);
                Map<String, Object> res = new LinkedHashMap<>();
                res.put("steps", r.steps());
                res.put("train_loss", r.lastTrainLoss());
                res.put("val_loss", r.valLoss());
                res.put("best_val_loss", r.bestValLoss() == Double.MAX_VALUE ? null : r.bestValLoss());
                res.put("stopped_early", r.stoppedEarly());
                res.put("seconds", r.seconds());
                res.put("tokens_per_s", r.tokensPerSecond());
                System.out.println(Json.writeLine(res));
                System.out.printf("val_loss=%.4f seconds=%.1f%n", r.valLoss(), r.seconds());
            }
            return 0;
        }
    }

    @Command(name = "eval", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "Loss, perplexity and bits per byte of a checkpoint on a token set (non-overlapping "
                    + "windows of blockSize).")
    static final class Eval implements Callable<Integer> {
        @Option(names = "--checkpoint", required = true) String checkpoint;
        @Option(names = "--data", required = true, description = "text file (with the checkpoint's character "
                + "vocabulary) or .bin shard(s)") String data;
        @Option(names = "--max-windows", defaultValue = "0", description = "0 = all") int maxWindows;
        @Option(names = "--batch", defaultValue = "16") int batch;
        @Option(names = "--tokenizer", description = "decodes .bin tokens for bits per byte (default: the one the "
                + "checkpoint names)") String tokenizerDir;

        @Override
        public Integer call() {
            Storage st = Storage.local();
            Checkpoint c = loadCheckpoint(st, checkpoint);
            CharVocab vocab = c.meta().containsKey(CHAR_VOCAB) ? CharVocab.fromChars(c.meta().get(CHAR_VOCAB)) : null;
            if (vocab == null && !isBin(st, data)) {
                throw new UsageException("checkpoint " + checkpoint + " has no character vocabulary: give .bin data");
            }
            Data d = load(st, data, vocab);
            int T = c.config().blockSize();
            TokenWindows w = new TokenWindows(d.tokens(), T, 0);
            int n = w.numSequentialWindows();
            if (maxWindows > 0) {
                n = Math.min(n, maxWindows);
            }
            double sum = 0;
            long toks = 0;
            try (GPT gpt = c.toModel()) {
                for (int i = 0; i < n; i += batch) {
                    int rows = Math.min(batch, n - i);
                    TokenWindows.Batch b = w.sequential(i, rows);
                    sum += gpt.loss(b.x(), b.y()) * rows * T;
                    toks += (long) rows * T;
                }
            }
            // the targets of windows 0..n-1 are the contiguous tokens 1..n*T: decode them in one piece so that no
            // multi-byte character is cut at a window edge
            int[] targets = Arrays.copyOfRange(d.tokens(), 1, 1 + (int) toks);
            String tokDir = tokenizerDir != null ? tokenizerDir : c.meta().get(TOKENIZER);
            long evalBytes = -1;
            if (vocab != null) {
                evalBytes = vocab.decode(targets).getBytes(StandardCharsets.UTF_8).length;
            } else if (tokDir != null) {
                evalBytes = tokenizer(tokDir).decode(targets).getBytes(StandardCharsets.UTF_8).length;
            }
            double loss = sum / toks;
            Map<String, Object> res = new LinkedHashMap<>();
            res.put("tokens", toks);
            res.put("loss", loss);
            res.put("perplexity", Math.exp(loss));
            res.put("bits_per_byte", evalBytes > 0 ? sum / Math.log(2) / evalBytes : null);
            System.out.println(Json.writeLine(res));
            return 0;
        }
    }

    @Command(name = "sample", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "Generate text from a checkpoint.")
    static final class Sample implements Callable<Integer> {
        @Option(names = "--checkpoint", required = true) String checkpoint;
        @Option(names = "--prompt", defaultValue = "\n", description = "text (character-level models)") String prompt;
        @Option(names = "--prompt-ids", split = ",", description = "token ids (for .bin-trained models)")
        int[] promptIds;
        @Option(names = "--max-tokens", defaultValue = "200") int maxTokens;
        @Option(names = "--temperature", defaultValue = "0.8") double temperature;
        @Option(names = "--top-k", defaultValue = "200", description = "0 = off") int topK;
        @Option(names = "--top-p", defaultValue = "1.0") double topP;
        @Option(names = "--seed", defaultValue = "1337") long seed;
        @Option(names = "--eot-id", defaultValue = "-1", description = "stop after this id (-1 = the tokenizer's EOT "
                + "with --stop-at-eot, else never)") int eot;
        @Option(names = "--stop-at-eot", description = "stop at the tokenizer's end-of-text token") boolean stopAtEot;
        @Option(names = "--tokenizer", description = "tokenizer folder (default: the one the checkpoint names)")
        String tokenizerDir;
        @Option(names = "--num-samples", defaultValue = "1") int numSamples;
        @Option(names = "--no-kv-cache", description = "full forward per token (for comparison)") boolean noCache;

        @Override
        public Integer call() {
            Storage st = Storage.local();
            // a compressed model (int8 or structurally pruned: `compress`) samples through the inference engine
            ModelFile mf = loadModelFile(st, checkpoint);
            Checkpoint c = mf == null ? loadCheckpoint(st, checkpoint) : null;
            Map<String, String> meta = mf != null ? mf.meta() : c.meta();
            CharVocab vocab = meta.containsKey(CHAR_VOCAB) ? CharVocab.fromChars(meta.get(CHAR_VOCAB)) : null;
            String tokDir = tokenizerDir != null ? tokenizerDir : meta.get(TOKENIZER);
            Tokenizer tok = vocab == null && tokDir != null ? tokenizer(tokDir) : null;
            int[] ids;
            if (promptIds != null) {
                ids = promptIds;
            } else if (vocab != null) {
                ids = vocab.encode(prompt.replace("\\n", "\n"));
            } else if (tok != null) {
                ids = tok.encode(prompt.replace("\\n", "\n"));
            } else {
                throw new UsageException("this checkpoint has no character vocabulary nor tokenizer: give --tokenizer "
                        + "or --prompt-ids");
            }
            if (eot < 0 && stopAtEot) {
                if (tok == null || tok.eotId() < 0) {
                    throw new UsageException("--stop-at-eot needs a tokenizer with an end-of-text token, or --eot-id");
                }
                eot = tok.eotId();
            }
            Sampler.Options o;
            try {
                o = new Sampler.Options(maxTokens, temperature, topK, topP, seed, eot, !noCache);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage(), e);
            }
            try (GPT gpt = c != null ? c.toModel() : null; InferenceModel im = mf != null ? mf.toModel(null) : null) {
                for (int s = 0; s < numSamples; s++) {
                    long t0 = System.nanoTime();
                    Sampler.Options so = new Sampler.Options(o.maxNewTokens(), o.temperature(), o.topK(), o.topP(),
                            o.seed() + s, o.stopToken(), o.kvCache());
                    int[] out = gpt != null ? Sampler.generate(gpt, ids, so) : InferSampler.generate(im, ids, so);
                    double secs = (System.nanoTime() - t0) / 1e9;
                    System.out.println(vocab != null ? vocab.decode(out)
                            : tok != null ? tok.decode(out) : Arrays.toString(out));
                    System.out.println("---------------");
                    System.err.printf("%d tokens in %.2f s (%.1f tok/s, kv cache %s)%n", out.length, secs,
                            out.length / secs, !noCache);
                }
            }
            return 0;
        }
    }
}
