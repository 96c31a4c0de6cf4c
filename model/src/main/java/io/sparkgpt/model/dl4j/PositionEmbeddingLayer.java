package io.sparkgpt.model.dl4j;

import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adds GPT's learned position embedding to the token embeddings: {@code [mb, C, T] + wpe^T}. The table {@code wpe}
 * is {@code [blockSize, C]}, the fast GPT's layout, and is declared a bias parameter so that decoupled weight decay
 * leaves it alone (as GPT's AdamW does). Inputs must be exactly {@code blockSize} long ({@link Dl4jGpt#logits} pads
 * shorter contexts: causality makes the padding invisible to earlier positions).
 */
public class PositionEmbeddingLayer extends SameDiffLayer {
    public static final String WPE = "wpe";

    private int blockSize;
    private int width;

    /** For Jackson (the graph's JSON configuration). */
    protected PositionEmbeddingLayer() {
    }

    public PositionEmbeddingLayer(int blockSize, int width) {
        this.blockSize = blockSize;
        this.width = width;
    }

    public int getBlockSize() {
        return blockSize;
    }

    public int getWidth() {
        return width;
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
        SDVariable wpeT = p.get(WPE).permute(1, 0).reshape(1, width, blockSize);
        return SdOps.halveGradient(sd, x.add(wpeT));
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addBiasParam(WPE, blockSize, width);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        params.get(WPE).assign(Nd4j.randn(params.get(WPE).dataType(), blockSize, width).muli(0.02));
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.recurrent(width, blockSize);
    }
}
