package io.sparkgpt.model.dl4j;

import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/** GPT's final LayerNorm ({@code ln_f}) on {@code [mb, C, T]}; gain and optional bias are bias params (no decay). */
public class FinalLayerNorm extends SameDiffLayer {
    public static final String G = "g";
    public static final String B = "b";

    private int blockSize;
    private int width;
    private boolean bias;

    protected FinalLayerNorm() {
    }

    public FinalLayerNorm(int blockSize, int width, boolean bias) {
        this.blockSize = blockSize;
        this.width = width;
        this.bias = bias;
    }

    public int getBlockSize() {
        return blockSize;
    }

    public int getWidth() {
        return width;
    }

    public boolean isBias() {
        return bias;
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
        SDVariable h = x.permute(0, 2, 1).reshape(-1, width);
        SDVariable y = SdOps.layerNorm(sd, h, p.get(G), bias ? p.get(B) : null);
        return SdOps.halveGradient(sd, y.reshape(-1, blockSize, width).permute(0, 2, 1));
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addBiasParam(G, 1, width);
        if (bias) {
            params.addBiasParam(B, 1, width);
        }
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        params.get(G).assign(1.0);
        if (bias) {
            params.get(B).assign(0.0);
        }
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.recurrent(width, blockSize);
    }
}
