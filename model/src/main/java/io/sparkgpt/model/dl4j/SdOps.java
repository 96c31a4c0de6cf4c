package io.sparkgpt.model.dl4j;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

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
