package io.sparkgpt.model.infer;

/** How an {@link InferenceModel} stores the weights of its linear layers and embedding tables. */
public enum Precision {
    /** float32, products in OpenBLAS ({@code cblas_sgemm}/{@code sgemv}), as the training engine. */
    FLOAT32,
    /**
     * int8 in llama.cpp's Q8_0 layout: blocks of 32 consecutive weights of a row, each with one float scale
     * ({@code w ~= scale * q}, q in [-127, 127]); the products compute from the int8 values ({@link Int8Linear}).
     */
    INT8
}
