package io.sparkgpt.model.cli;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.model.compress.MagnitudePruning;
import io.sparkgpt.model.compress.MaskedFineTune;
import io.sparkgpt.model.compress.PruneMask;
import io.sparkgpt.model.compress.StructuredPruning;
import io.sparkgpt.model.data.CharVocab;
import io.sparkgpt.model.infer.InferenceModel;
import io.sparkgpt.model.infer.ModelFile;
import io.sparkgpt.model.infer.ModelWeights;
import io.sparkgpt.model.infer.Perplexity;
import io.sparkgpt.model.infer.Precision;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code compress quantize | prune}: makes a smaller model from a training checkpoint. Outputs are what
 * {@link InferenceModel#load} (the server) and {@code gpt sample} read: a magnitude-pruned float model stays a
 * {@link Checkpoint} (same config, pruned weights zero, no optimizer state); an int8 or structurally pruned model is a
 * {@link ModelFile}. The checkpoint's meta (tokenizer, character vocabulary) is carried over.
 */
@Command(name = "compress", mixinStandardHelpOptions = true,
        subcommands = {CompressMain.Quantize.class, CompressMain.Prune.class},
        description = "Quantize (int8) or prune a GPT checkpoint for inference.")
public final class CompressMain implements Callable<Integer> {

    public static void main(String[] args) {
        Cli.main(new CompressMain(), args);
    }

    @Override
    public Integer call() {
        throw new UsageException("choose a command: quantize or prune (see --help)");
    }

    static Map<String, String> meta(Checkpoint c, String how) {
        Map<String, String> m = new HashMap<>(c.meta());
        m.put("compressed", how);
        return m;
    }

    @Command(name = "quantize", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "Weight-only int8 (Q8_0: blocks of 32 weights with a float scale) of every linear layer and "
                    + "the token table; writes a model file about 0.29x the float32 size.")
    static final class Quantize implements Callable<Integer> {
        @Option(names = "--checkpoint", required = true, description = "training checkpoint (model.ckpt, "
                + "checkpoint.bin)") String checkpoint;
        @Option(names = "--out", required = true, description = "model file to write (local or s3a://)") String out;

        @Override
        public Integer call() {
            Storage st = Storage.local();
            Checkpoint c = GptMain.loadCheckpoint(st, checkpoint);
            ModelFile f = ModelFile.of(ModelWeights.of(c), Precision.INT8, meta(c, "int8 q8_0 of " + checkpoint));
            f.save(st, out);
            System.out.printf("wrote %s: int8, %,d bytes of weights (float32: %,d)%n", out, f.dataBytes(),
                    4 * GPT.countParams(c.config()));
            return 0;
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "Magnitude (unstructured) or structured (heads, MLP neurons) pruning, optionally followed by "
                    + "a short fine-tune with the pruned weights held at zero.")
    static final class Prune implements Callable<Integer> {
        @Option(names = "--checkpoint", required = true) String checkpoint;
        @Option(names = "--out", required = true, description = "output: a checkpoint (magnitude, float32) or a model "
                + "file (structured, or --int8)") String out;
        @Option(names = "--method", defaultValue = "magnitude", description = "magnitude or structured") String method;
        @Option(names = "--sparsity", defaultValue = "0.5", description = "magnitude: fraction of each linear "
                + "layer's weights pruned") double sparsity;
        @Option(names = "--heads", defaultValue = "0.25", description = "structured: fraction of heads pruned per "
                + "layer") double heads;
        @Option(names = "--neurons", defaultValue = "0.25", description = "structured: fraction of MLP neurons "
                + "pruned per layer") double neurons;
        @Option(names = "--finetune-data", description = "text file (character-level checkpoint) or .bin shards: "
                + "fine-tune on it after pruning") String data;
        @Option(names = "--finetune-steps", defaultValue = "100", description = "fine-tune optimizer steps (the "
                + "schedule's horizon)") int steps;
        /** The fine-tune's optimizer: 12 sequences a step, lr 3e-4 warmed up over 10 steps and decayed to a tenth. */
        @Mixin
        OptimizerOptions opt = new OptimizerOptions(TrainConfig.defaults().withBatch(12, 1).withLearningRate(3e-4)
                .withMinLr(3e-5).withWarmupSteps(10));
        @Option(names = "--eval-data", description = "report validation perplexity before and after on this text or "
                + ".bin data") String evalData;
        @Option(names = "--int8", description = "also quantize the pruned model to int8") boolean int8;
        @Option(names = "--seed", defaultValue = "1337") long seed;

        @Override
        public Integer call() {
            Storage st = Storage.local();
            Checkpoint c = GptMain.loadCheckpoint(st, checkpoint);
            boolean structured;
            if (method.equals("structured")) {
                structured = true;
            } else if (method.equals("magnitude")) {
                structured = false;
            } else {
                throw new UsageException("--method " + method + ": expected magnitude or structured");
            }
            CharVocab vocab = c.meta().containsKey(GptMain.CHAR_VOCAB)
                    ? CharVocab.fromChars(c.meta().get(GptMain.CHAR_VOCAB)) : null;
            ModelWeights w = ModelWeights.of(c);
            PruneMask mask;
            StructuredPruning.Plan plan = null;
            try {
                if (structured) {
                    plan = StructuredPruning.plan(w, heads, neurons);
                    mask = StructuredPruning.mask(w, plan);
                } else {
                    mask = MagnitudePruning.mask(w, sparsity);
                }
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage(), e);
            }
            int[] eval = evalData == null ? null : GptMain.load(st, evalData, vocab).tokens();
            ModelWeights pruned = mask.applyTo(w);
            if (eval != null) {
                System.out.printf("validation perplexity: unpruned %.3f, pruned %.3f%n", ppl(w, eval), ppl(pruned, eval));
            }
            if (data != null) {
                int[] tokens = GptMain.load(st, data, vocab).tokens();
                TrainConfig tc = opt.trainConfig(TrainConfig.defaults().withSeed(seed), steps, opt.batchSize);
                try (GPT g = GPT.create(c.config(), seed)) {
                    g.setParams(c.params());
                    double loss = MaskedFineTune.run(g, mask, tokens, tc);
                    pruned = ModelWeights.of(g);
                    System.out.printf("fine-tuned %d steps, last training loss %.4f%n", steps, loss);
                }
                if (eval != null) {
                    System.out.printf("validation perplexity after fine-tune: %.3f%n", ppl(pruned, eval));
                }
            }
            String how = (structured ? "structured heads " + heads + " neurons " + neurons : "magnitude " + sparsity)
                    + (data != null ? ", fine-tuned " + steps + " steps" : "") + " of " + checkpoint;
            if (structured) {
                pruned = StructuredPruning.shrink(pruned, plan);
            }
            if (structured || int8) {
                ModelFile f = ModelFile.of(pruned, int8 ? Precision.INT8 : Precision.FLOAT32, meta(c, how));
                f.save(st, out);
                System.out.printf("wrote %s: %s, heads %s, MLP widths %s, %,d bytes of weights%n", out,
                        f.precision(), java.util.Arrays.toString(f.shape().heads()),
                        java.util.Arrays.toString(f.shape().mlpWidths()), f.dataBytes());
            } else {
                Checkpoint p = new Checkpoint(c.config(), c.train(), c.step(), flat(pruned, c), null, 0, c.rngState(),
                        List.of(), Double.MAX_VALUE, 0, meta(c, how));
                p.save(st, out);
                System.out.printf("wrote %s: float32 checkpoint, %,d of %,d linear-layer weights pruned%n", out,
                        mask.prunedCount(), ModelWeights.matrixNames(w.shape()).stream()
                                .mapToLong(n -> w.get(n).length).sum());
            }
            return 0;
        }

        private static float[] flat(ModelWeights w, Checkpoint c) {
            try (GPT g = GPT.create(c.config(), 0)) {
                w.copyInto(g);
                return g.params();
            }
        }

        private static double ppl(ModelWeights w, int[] tokens) {
            try (InferenceModel m = InferenceModel.of(w, Precision.FLOAT32)) {
                return Math.exp(Perplexity.meanLoss(m, tokens, 100));
            }
        }
    }
}
