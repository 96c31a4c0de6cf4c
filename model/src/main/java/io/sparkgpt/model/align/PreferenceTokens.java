package io.sparkgpt.model.align;

/** A tokenized preference pair: one prompt, a chosen and a rejected response. {@code origin}: file and line. */
public record PreferenceTokens(String origin, Sequence chosen, Sequence rejected) implements java.io.Serializable {}
