package io.sparkgpt.tokenizer;

import java.util.Arrays;

/** A growable int array: token ids without boxing. */
public final class IntList {
    private int[] a;
    private int n;

    public IntList() {
        this(16);
    }

    public IntList(int capacity) {
        a = new int[Math.max(4, capacity)];
    }

    public void add(int v) {
        if (n == a.length) {
            a = Arrays.copyOf(a, a.length * 2);
        }
        a[n++] = v;
    }

    public void addAll(int[] v) {
        addAll(v, 0, v.length);
    }

    public void addAll(int[] v, int from, int len) {
        if (n + len > a.length) {
            a = Arrays.copyOf(a, Math.max(a.length * 2, n + len));
        }
        System.arraycopy(v, from, a, n, len);
        n += len;
    }

    public int get(int i) {
        if (i >= n) {
            throw new IndexOutOfBoundsException(i);
        }
        return a[i];
    }

    public int size() {
        return n;
    }

    public void clear() {
        n = 0;
    }

    public int[] toArray() {
        return Arrays.copyOf(a, n);
    }
}
