package io.sparkgpt.model.dl4j;

import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One pre-LayerNorm GPT block as a DL4J {@link SameDiffLayer} on {@code [mb, C, T]} (NCW):
 * {@code x += proj(causalSelfAttention(ln1(x)))}, {@code x += fc2(gelu(fc(ln2(x))))}.
 *
 * <p>Weights are stored {@code [in, out]} (x W), the transpose of the fast GPT's PyTorch-style {@code [out, in]}
 * ({@link Dl4jGpt} transposes when copying). The fused QKV output has GPT's column order: q of all heads, then k,
 * then v, head h at columns {@code h*hs .. (h+1)*hs}. M2.1 has no causal attention op, so a constant -1e9 upper
 * triangle is added to the scores before the softmax. No dropout: {@link Dl4jGpt#build} rejects configs with
 * dropout. Inputs must be exactly {@code blockSize} long (the mask and reshapes are sized for it).
 */
public class TransformerBlock extends SameDiffLayer {
    public static final String LN1_G = "ln1g", LN1_B = "ln1b", QKV_W = "qkvW", QKV_B = "qkvb", PROJ_W = "projW",
            PROJ_B = "projb", LN2_G = "ln2g", LN2_B = "ln2b", FC_W = "fcW", FC_B = "fcb", FC2_W = "fc2W",
            FC2_B = "fc2b";

    private int blockSize;
    private int width;
    private int heads;
    private int layers;
    private boolean bias;

    protected TransformerBlock() {
    }

    /** {@code layers} only sets the GPT-2 init scale of the residual projections. */
    public TransformerBlock(int blockSize, int width, int heads, int layers, boolean bias) {
        this.blockSize = blockSize;
        this.width = width;
        this.heads = heads;
        this.layers = layers;
        this.bias = bias;
    }

    public int getBlockSize() {
        return blockSize;
    }

    public int getWidth() {
        return width;
    }

    public int getHeads() {
        return heads;
    }

    public int getLayers() {
        return layers;
    }

    public boolean isBias() {
        return bias;
    }

    private SDVariable linear(SDVariable in, Map<String, SDVariable> p, String w, String b) {
        SDVariable y = in.mmul(p.get(w));
        return bias ? y.add(p.get(b)) : y;
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
        int C = width, T = blockSize, H = heads, hs = width / heads;
        SDVariable h = x.permute(0, 2, 1).reshape(-1, C);                         // [mb*T, C]

        SDVariable a = SdOps.layerNorm(sd, h, p.get(LN1_G), bias ? p.get(LN1_B) : null);
        SDVariable qkv = linear(a, p, QKV_W, QKV_B);                              // [mb*T, 3C]
        SDVariable[] parts = sd.unstack(qkv.reshape(-1, T, 3, H, hs).permute(2, 0, 3, 1, 4), 0, 3);
        SDVariable q = parts[0], k = parts[1], v = parts[2];                       // [mb, H, T, hs]
        INDArray causal = Nd4j.zeros(DataType.FLOAT, 1, 1, T, T);
        for (int i = 0; i < T; i++) {
            for (int j = i + 1; j < T; j++) {
                causal.putScalar(new long[] {0, 0, i, j}, -1e9);
            }
        }
        SDVariable scores = q.mmul(k.permute(0, 1, 3, 2)).mul(1.0 / Math.sqrt(hs)).add(sd.constant(causal));
        SDVariable att = sd.nn.softmax(scores, 3);
        SDVariable y = att.mmul(v).permute(0, 2, 1, 3).reshape(-1, C);            // heads side by side
        SDVariable r = h.add(linear(y, p, PROJ_W, PROJ_B));

        SDVariable a2 = SdOps.layerNorm(sd, r, p.get(LN2_G), bias ? p.get(LN2_B) : null);
        SDVariable f = linear(SdOps.gelu(sd, linear(a2, p, FC_W, FC_B)), p, FC2_W, FC2_B);
        return SdOps.halveGradient(sd, r.add(f).reshape(-1, T, C).permute(0, 2, 1));
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        int C = width;
        params.addBiasParam(LN1_G, 1, C);
        if (bias) {
            params.addBiasParam(LN1_B, 1, C);
        }
        params.addWeightParam(QKV_W, C, 3L * C);
        if (bias) {
            params.addBiasParam(QKV_B, 1, 3L * C);
        }
        params.addWeightParam(PROJ_W, C, C);
        if (bias) {
            params.addBiasParam(PROJ_B, 1, C);
        }
        params.addBiasParam(LN2_G, 1, C);
        if (bias) {
            params.addBiasParam(LN2_B, 1, C);
        }
        params.addWeightParam(FC_W, C, 4L * C);
        if (bias) {
            params.addBiasParam(FC_B, 1, 4L * C);
        }
        params.addWeightParam(FC2_W, 4L * C, C);
        if (bias) {
            params.addBiasParam(FC2_B, 1, C);
        }
    }

    /** GPT-2 initialisation; {@link Dl4jGpt#build} overwrites it with the fast GPT's draw for the same seed. */
    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        double projStd = 0.02 / Math.sqrt(2.0 * layers);
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            INDArray arr = e.getValue();
            switch (e.getKey()) {
                case LN1_G, LN2_G -> arr.assign(1.0);
                case QKV_W, FC_W -> arr.assign(Nd4j.randn(arr.dataType(), arr.shape()).muli(0.02));
                case PROJ_W, FC2_W -> arr.assign(Nd4j.randn(arr.dataType(), arr.shape()).muli(projStd));
                default -> arr.assign(0.0);
            }
        }
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.recurrent(width, blockSize);
    }
}
