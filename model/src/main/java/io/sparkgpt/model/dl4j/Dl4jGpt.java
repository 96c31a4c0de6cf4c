package io.sparkgpt.model.dl4j;

import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.TrainConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The Deeplearning4j face of the project's GPT: the same architecture as the fast {@link GPT} engine, built as a DL4J
 * {@link ComputationGraph} by DESIGN.md's verified route, with weights copied both ways between the two.
 *
 * <p>Graph: {@code tokens [mb, 1, T]} -> {@code wte} ({@link EmbeddingSequenceLayer}, NCW out) -> {@code wpe}
 * ({@link PositionEmbeddingLayer}) -> {@code h0 .. h(L-1)} ({@link TransformerBlock}) -> {@code ln_f}
 * ({@link FinalLayerNorm}) -> {@code lm_head} ({@link RnnOutputLayer}: softmax, MCXENT, NCW, no bias). Labels are
 * one-hot {@code [mb, V, T]}. Updater: Adam with the fast engine's warmup + cosine schedule
 * ({@link WarmupCosineSchedule}), betas and eps, and decoupled weight decay ({@code WeightDecay(wd, true)}: M2.1's
 * AdamW) on the same tensors GPT decays (attention and MLP weights, the untied LM head) and nothing else.
 *
 * <p>Where the two engines differ, on purpose or by DL4J's limits:
 * <ul>
 *   <li>Tied embeddings: DL4J cannot share one array between the embedding and the output layer, so the graph
 *       holds two copies, equal after {@link #copyWeights(GPT, ComputationGraph)} and trained apart.
 *       {@link #copyWeights(ComputationGraph, GPT)} writes their mean into a tied GPT.</li>
 *   <li>DL4J's {@code score()} is the loss summed over time steps and averaged over sequences, and its updater
 *       divides the gradient by the number of sequences only: gradients are {@code T} times GPT's (per-token mean).
 *       Adam is invariant to that scale (up to eps); {@link #loss} reports nats per token like GPT.</li>
 *   <li>No global-norm gradient clipping (DL4J clips per layer or per parameter only) and no dropout: a config
 *       with dropout is rejected rather than silently trained differently.</li>
 *   <li>Inputs are always {@code blockSize} long; {@link #logits} pads shorter contexts on the right (causality
 *       keeps the padding out of earlier positions).</li>
 * </ul>
 */
public final class Dl4jGpt {
    public static final String INPUT = "tokens";
    public static final String WTE = "wte";
    public static final String WPE = "wpe";
    public static final String LN_F = "ln_f";
    public static final String LM_HEAD = "lm_head";

    private Dl4jGpt() {
    }

    public static String block(int l) {
        return "h" + l;
    }

    /**
     * A graph initialised exactly as {@code GPT.create(config, seed)} (GPT-2 init drawn by the fast engine, then
     * copied), with the updater of {@code TrainConfig.defaults()} and betas (0.9, 0.95).
     */
    public static ComputationGraph build(GPTConfig config, long seed) {
        return build(config, TrainConfig.defaults().withBetas(0.9, 0.95), seed);
    }

    /** A graph initialised as {@code GPT.create(config, seed)}, trained with {@code tc}'s schedule, betas, eps, decay. */
    public static ComputationGraph build(GPTConfig config, TrainConfig tc, long seed) {
        ComputationGraph g = new ComputationGraph(configuration(config, tc, seed));
        g.init();
        try (GPT gpt = GPT.create(config, seed)) {
            copyWeights(gpt, g);
        }
        return g;
    }

    /** The graph's configuration alone (what dl4j-spark ships to executors as JSON). */
    public static ComputationGraphConfiguration configuration(GPTConfig c, TrainConfig tc, long seed) {
        if (c.dropout() > 0) {
            throw new IllegalArgumentException("GPTConfig.dropout=" + c.dropout()
                    + ": the DL4J graph has no dropout (use 0, or the fast GPT engine)");
        }
        if (c.exactGelu()) {
            throw new IllegalArgumentException("GPTConfig.exactGelu=true: the DL4J graph uses the tanh GELU "
                    + "(use false, or the fast GPT engine)");
        }
        if (tc.decayEmbeddings()) {
            throw new IllegalArgumentException("TrainConfig.decayEmbeddings=true: the DL4J graph decays the block "
                    + "weights only (use false, or the fast GPT engine)");
        }
        int V = c.vocabSize(), C = c.nEmbd(), T = c.blockSize();
        List<Regularization> decay = tc.weightDecay() > 0 ? List.of(new WeightDecay(tc.weightDecay(), true))
                : List.of();
        Adam adam = Adam.builder().learningRateSchedule(new WarmupCosineSchedule(tc.schedule()))
                .beta1(tc.beta1()).beta2(tc.beta2()).epsilon(tc.eps()).build();
        ComputationGraphConfiguration.GraphBuilder gb = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(adam)
                .weightInit(WeightInit.NORMAL)
                .graphBuilder()
                .addInputs(INPUT);
        // no setInputTypes(recurrent(1, T)): it would reset the embedding's nIn to 1 (DESIGN.md)
        gb.addLayer(WTE, new EmbeddingSequenceLayer.Builder().nIn(V).nOut(C).hasBias(false).inputLength(T)
                .outputDataFormat(RNNFormat.NCW).build(), INPUT);
        gb.addLayer(WPE, new PositionEmbeddingLayer(T, C), WTE);
        String prev = WPE;
        for (int l = 0; l < c.nLayer(); l++) {
            TransformerBlock b = new TransformerBlock(T, C, c.nHead(), c.nLayer(), c.bias());
            b.setRegularization(new ArrayList<>(decay));
            b.setRegularizationBias(new ArrayList<>());
            gb.addLayer(block(l), b, prev);
            prev = block(l);
        }
        gb.addLayer(LN_F, new FinalLayerNorm(T, C, c.bias()), prev);
        // GPT decays an untied LM head; a tied one is the embedding, which it does not decay
        RnnOutputLayer.Builder head = new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .nIn(C).nOut(V).hasBias(false).activation(Activation.SOFTMAX).dataFormat(RNNFormat.NCW);
        head.regularization(new ArrayList<>(c.tiedEmbeddings() ? List.of() : decay));
        gb.addLayer(LM_HEAD, head.build(), LN_F);
        gb.setOutputs(LM_HEAD);
        return gb.build();
    }

    // ------------------------------------------------------------------ weights, both ways

    /** Offset and size of every tensor in GPT's flat parameter vector, read from {@link GPT#tensorNames()}. */
    static Map<String, int[]> layout(GPT gpt) {
        Map<String, int[]> out = new LinkedHashMap<>();
        for (String s : gpt.tensorNames()) {
            int at = s.lastIndexOf('@'), plus = s.lastIndexOf('+');
            out.put(s.substring(0, at), new int[] {Integer.parseInt(s.substring(at + 1, plus)),
                Integer.parseInt(s.substring(plus + 1))});
        }
        return out;
    }

    /** One GPT tensor and where it lives in the graph; {@code transpose}: GPT's [out, in] vs the graph's [in, out]. */
    private record Slot(String gptName, String layer, String param, int rows, int cols, boolean transpose) {
    }

    private static List<Slot> slots(GPTConfig c) {
        int V = c.vocabSize(), C = c.nEmbd(), T = c.blockSize();
        List<Slot> s = new ArrayList<>();
        s.add(new Slot("wte", WTE, "W", V, C, false));
        s.add(new Slot("wpe", WPE, PositionEmbeddingLayer.WPE, T, C, false));
        for (int l = 0; l < c.nLayer(); l++) {
            String h = "h." + l + ".", b = block(l);
            s.add(new Slot(h + "ln1.w", b, TransformerBlock.LN1_G, 1, C, false));
            s.add(new Slot(h + "attn.qkv.w", b, TransformerBlock.QKV_W, 3 * C, C, true));
            s.add(new Slot(h + "attn.proj.w", b, TransformerBlock.PROJ_W, C, C, true));
            s.add(new Slot(h + "ln2.w", b, TransformerBlock.LN2_G, 1, C, false));
            s.add(new Slot(h + "mlp.fc.w", b, TransformerBlock.FC_W, 4 * C, C, true));
            s.add(new Slot(h + "mlp.proj.w", b, TransformerBlock.FC2_W, C, 4 * C, true));
            if (c.bias()) {
                s.add(new Slot(h + "ln1.b", b, TransformerBlock.LN1_B, 1, C, false));
                s.add(new Slot(h + "attn.qkv.b", b, TransformerBlock.QKV_B, 1, 3 * C, false));
                s.add(new Slot(h + "attn.proj.b", b, TransformerBlock.PROJ_B, 1, C, false));
                s.add(new Slot(h + "ln2.b", b, TransformerBlock.LN2_B, 1, C, false));
                s.add(new Slot(h + "mlp.fc.b", b, TransformerBlock.FC_B, 1, 4 * C, false));
                s.add(new Slot(h + "mlp.proj.b", b, TransformerBlock.FC2_B, 1, C, false));
            }
        }
        s.add(new Slot("ln_f.w", LN_F, FinalLayerNorm.G, 1, C, false));
        if (c.bias()) {
            s.add(new Slot("ln_f.b", LN_F, FinalLayerNorm.B, 1, C, false));
        }
        // tied: the head is wte itself
        s.add(new Slot(c.tiedEmbeddings() ? "wte" : "lm_head.w", LM_HEAD, "W", V, C, true));
        return s;
    }

    private static INDArray param(ComputationGraph g, Slot s) {
        INDArray p = g.getLayer(s.layer()).getParam(s.param());
        if (p == null) {
            throw new IllegalArgumentException("the graph has no parameter " + s.layer() + "_" + s.param()
                    + " (built from another GPTConfig?)");
        }
        long want = (long) s.rows() * s.cols();
        if (p.length() != want) {
            throw new IllegalArgumentException("graph parameter " + s.layer() + "_" + s.param() + " has "
                    + p.length() + " values, GPT tensor " + s.gptName() + " has " + want
                    + " (built from another GPTConfig?)");
        }
        return p;
    }

    /** Writes {@code from}'s parameters into {@code to} (a graph of the same GPTConfig); the updater is untouched. */
    public static void copyWeights(GPT from, ComputationGraph to) {
        float[] flat = from.params();
        Map<String, int[]> lay = layout(from);
        for (Slot s : slots(from.config())) {
            int[] os = lay.get(s.gptName());
            float[] part = new float[os[1]];
            System.arraycopy(flat, os[0], part, 0, os[1]);
            INDArray a = Nd4j.create(part, new long[] {s.rows(), s.cols()}, 'c');
            INDArray dst = param(to, s);
            dst.assign((s.transpose() ? a.transpose() : a).reshape(dst.ordering(), dst.shape()));
        }
    }

    /**
     * Writes {@code from}'s parameters into {@code to} (same GPTConfig). A tied GPT gets the mean of the graph's two
     * embedding copies (they drift apart when the graph trains; equal right after {@link #copyWeights(GPT,
     * ComputationGraph)}). GPT's optimizer state is untouched.
     */
    public static void copyWeights(ComputationGraph from, GPT to) {
        float[] flat = to.params();
        Map<String, int[]> lay = layout(to);
        boolean tied = to.config().tiedEmbeddings();
        for (Slot s : slots(to.config())) {
            INDArray src = param(from, s).dup('c').reshape('c', s.transpose() ? s.cols() : s.rows(),
                    s.transpose() ? s.rows() : s.cols());
            INDArray a = s.transpose() ? src.transpose().dup('c') : src;
            float[] vals = a.data().asFloat();
            int[] os = lay.get(s.gptName());
            if (tied && s.layer().equals(LM_HEAD)) {
                for (int i = 0; i < os[1]; i++) {
                    flat[os[0] + i] = 0.5f * (flat[os[0] + i] + vals[i]);
                }
            } else {
                System.arraycopy(vals, 0, flat, os[0], os[1]);
            }
        }
        to.setParams(flat);
    }

    /** A new fast {@link GPT} of {@code config} holding the graph's parameters (fresh optimizer state). */
    public static GPT toGpt(ComputationGraph g, GPTConfig config) {
        GPT gpt = GPT.create(config, 0);
        try {
            copyWeights(g, gpt);
        } catch (RuntimeException e) {
            gpt.close();
            throw e;
        }
        return gpt;
    }

    // ------------------------------------------------------------------ data and inference

    /** The graph's block size (its inputs' length). */
    public static int blockSize(ComputationGraph g) {
        return ((PositionEmbeddingLayer) g.getLayer(WPE).conf().getLayer()).getBlockSize();
    }

    public static int vocabSize(ComputationGraph g) {
        return (int) ((RnnOutputLayer) g.getLayer(LM_HEAD).conf().getLayer()).getNOut();
    }

    /** Token ids {@code [rows][T]} as the embedding's input {@code [rows, 1, T]}. */
    public static INDArray features(int[][] x) {
        int B = x.length, T = x[0].length;
        float[] f = new float[B * T];
        for (int b = 0; b < B; b++) {
            if (x[b].length != T) {
                throw new IllegalArgumentException("row " + b + " has " + x[b].length + " tokens, row 0 has " + T);
            }
            for (int t = 0; t < T; t++) {
                f[b * T + t] = x[b][t];
            }
        }
        return Nd4j.create(f, new long[] {B, 1, T}, 'c');
    }

    /** Target ids {@code [rows][T]} as one-hot labels {@code [rows, V, T]}. */
    public static INDArray labels(int[][] y, int vocab) {
        int B = y.length, T = y[0].length;
        float[] l = new float[B * vocab * T];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                int id = y[b][t];
                if (id < 0 || id >= vocab) {
                    throw new IllegalArgumentException("target id " + id + " at row " + b + " position " + t
                            + " is outside the vocabulary of " + vocab);
                }
                l[(b * vocab + id) * T + t] = 1f;
            }
        }
        return Nd4j.create(l, new long[] {B, vocab, T}, 'c');
    }

    /** A training batch for {@code fit}: windows must be exactly {@code blockSize} long. */
    public static DataSet dataSet(int[][] x, int[][] y, int vocab) {
        return new DataSet(features(x), labels(y, vocab));
    }

    /** Logits {@code [rows][T][V]} (log-probabilities up to a constant per position) of contexts of 1..blockSize. */
    public static float[][][] logits(ComputationGraph g, int[][] x) {
        int T = blockSize(g), V = vocabSize(g), B = x.length;
        int[][] padded = new int[B][T];
        int len = x[0].length;
        if (len < 1 || len > T) {
            throw new IllegalArgumentException("context of " + len + " tokens: the graph takes 1.." + T);
        }
        for (int b = 0; b < B; b++) {
            if (x[b].length != len) {
                throw new IllegalArgumentException("row " + b + " has " + x[b].length + " tokens, row 0 has " + len);
            }
            System.arraycopy(x[b], 0, padded[b], 0, len);
        }
        // the output layer applies softmax; log of it is the logits up to a per-position constant, so return the
        // pre-softmax activations instead: the input of lm_head times its weights
        // layer by layer up to ln_f: M2.1's RnnOutputLayer.activate adds a null bias when hasBias(false) (NPE), and
        // ComputationGraph.feedForward always runs it; fit and score take another path and are unaffected
        LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();
        INDArray h = features(padded);
        List<String> order = new ArrayList<>(List.of(WTE, WPE));
        for (int l = 0; l < g.getNumLayers() - 4; l++) {
            order.add(block(l));
        }
        order.add(LN_F);
        for (String name : order) {
            h = g.getLayer(name).activate(h, false, none);
        }
        g.clearLayersStates();                                                  // [B, C, T] above
        INDArray w = g.getLayer(LM_HEAD).getParam("W");                         // [C, V]
        float[][][] out = new float[B][len][V];
        for (int b = 0; b < B; b++) {
            INDArray z = h.get(org.nd4j.linalg.indexing.NDArrayIndex.point(b),
                    org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all())
                    .transpose().mmul(w);                                         // [T, V]
            for (int t = 0; t < len; t++) {
                for (int v = 0; v < V; v++) {
                    out[b][t][v] = z.getFloat(t, v);
                }
            }
        }
        return out;
    }

    /** Mean cross-entropy (nats per token) of {@code y} given {@code x}, like {@link GPT#loss}. */
    public static double loss(ComputationGraph g, int[][] x, int[][] y) {
        int T = x[0].length;
        if (T != blockSize(g)) {
            throw new IllegalArgumentException("windows of " + T + " tokens: the graph takes " + blockSize(g));
        }
        // score(): summed over time steps, averaged over sequences, plus the regularization term DL4J adds for its
        // own layers' weight decay (the LM head's): take that out to get the data loss alone
        double score = g.score(dataSet(x, y, vocabSize(g)), false);
        return (score - g.calcRegularizationScore(true)) / T;
    }
}
