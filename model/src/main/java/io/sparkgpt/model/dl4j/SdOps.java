package io.sparkgpt.model.dl4j;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;

/**
 * The element-wise pieces the fast {@code GPT} computes by hand, written as SameDiff ops with the very same formulas
 * (LayerNorm with eps 1e-5 and the biased variance; GPT-2's tanh GELU), so the two engines agree to float rounding.
 * ND4J's own {@code layerNorm} and {@code gelu} are not used: their epsilon and approximation differ.
 */
final class SdOps {
    static final double LN_EPS = 1e-5;
    private static final double GELU_K = Math.sqrt(2.0 / Math.PI);

    private SdOps() {
    }

    /**
     * Forward: {@code y} exactly ({@code 0.5 y + 0.5 y}). Backward: half the incoming gradient. Measured in M2.1: a
     * DL4J {@code SameDiffLayer} inside a {@code ComputationGraph} back-propagates twice the epsilon it is given (an
     * identity SameDiffLayer between an embedding and an RnnOutputLayer doubles the embedding's gradient, with or
     * without workspaces), so every layer of this package ends with this op; {@code Dl4jGptTest.gradientsMatch}
     * fails if DL4J's behaviour ever changes.
     */
    static SDVariable halveGradient(SameDiff sd, SDVariable y) {
        SDVariable frozen = new StopGradient(sd, y).outputVariable();
        return y.mul(0.5).add(frozen.mul(0.5));
    }

    /** LayerNorm over the last axis of a 2-D {@code [N, C]} array; {@code b} may be null (no bias). */
    static SDVariable layerNorm(SameDiff sd, SDVariable x, SDVariable g, SDVariable b) {
        SDVariable mean = x.mean(true, 1);
        SDVariable d = x.sub(mean);
        SDVariable var = d.mul(d).mean(true, 1);
        SDVariable y = d.mul(sd.math.rsqrt(var.add(LN_EPS))).mul(g);
        return b == null ? y : y.add(b);
    }

    /** 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), GPT-2's approximation. */
    static SDVariable gelu(SameDiff sd, SDVariable x) {
        SDVariable inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(GELU_K);
        return x.mul(sd.math.tanh(inner).add(1.0)).mul(0.5);
    }
}
