package io.sparkgpt.trainer.batch;

import io.sparkgpt.model.infer.InferenceModel;
import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.TokenizerFiles;

/**
 * The model and tokenizer of a batch job, loaded once per executor JVM and shared by its tasks (as
 * {@code ExecutorModels} keeps the trainer's copies): reading and quantizing a checkpoint per task would cost more
 * than generating for a small partition. {@link InferenceModel}'s compute methods are synchronized, so concurrent
 * tasks take turns on it. Another {@link ModelSource} (a later job in the same JVM) closes the old model.
 * Deliberately the one piece of JVM-wide state here: a task's output depends only on its rows and the source.
 */
final class ExecutorInference {
    record Loaded(InferenceModel model, BpeTokenizer tokenizer) {}

    private static final Object LOCK = new Object();
    private static String key;
    private static Loaded loaded;

    private ExecutorInference() {}

    static Loaded get(ModelSource src) {
        synchronized (LOCK) {
            if (!src.key().equals(key)) {
                if (loaded != null) {
                    loaded.model().close();
                }
                loaded = null;
                key = null;
                BpeTokenizer tok = TokenizerFiles.fromStrings(src.vocab(), src.merges(), src.tokenizerJson(),
                        src.tokenizerDir());
                loaded = new Loaded(InferenceModel.load(src.modelPath(), src.precision()), tok);
                key = src.key();
            }
            return loaded;
        }
    }
}
