package io.sparkgpt.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * An off-heap float array: a javacpp {@link FloatPointer} for BLAS and {@link FloatBuffer} and {@link ByteBuffer}
 * views of the same memory for the element-wise Java loops. Off-heap because handing a Java {@code float[]} to native
 * code copies it on every call (JNI Get/ReleaseFloatArrayElements), which would cost as much as the matrix product
 * itself.
 */
final class Buf {
    final FloatPointer ptr;
    final FloatBuffer f;
    /** The same memory as bytes, for the Vector API's loads and stores ({@link VectorKernels}). */
    final ByteBuffer b;
    final int n;

    Buf(int n) {
        this.n = n;
        this.ptr = new FloatPointer(Math.max(1, n));
        this.ptr.zero();
        this.b = ptr.asByteBuffer().order(ByteOrder.nativeOrder());
        this.f = b.asFloatBuffer();
    }

    /** A pointer to element {@code off} (a new, non-owning view: cheap). */
    FloatPointer at(long off) {
        return new FloatPointer(ptr).position(off);
    }

    void zero() {
        ptr.zero();
    }

    float get(int i) {
        return f.get(i);
    }

    void set(int i, float v) {
        f.put(i, v);
    }

    void copyTo(float[] dst) {
        f.get(0, dst, 0, n);
    }

    void copyFrom(float[] src) {
        f.put(0, src, 0, n);
    }

    void copyFrom(Buf src) {
        f.put(0, src.f, 0, n);
    }

    void close() {
        ptr.deallocate();
    }
}
