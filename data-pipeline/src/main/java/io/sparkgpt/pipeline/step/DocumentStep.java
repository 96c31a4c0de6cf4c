package io.sparkgpt.pipeline.step;

import java.io.Serializable;

/**
 * One per-document step of the recipe (datatrove's PipelineStep for a single document): it reads and rewrites the
 * {@link Document} and either keeps it ({@code null}) or drops it with a short reason, which goes into
 * {@code excluded/<step>} and the step's stats. Steps are serialized to the executors with their immutable config;
 * anything heavy (a model) is loaded lazily per executor JVM.
 */
public interface DocumentStep extends Serializable {
    /** The step's name: its {@code --steps} key, its {@code excluded/<name>} folder and its stats.json entry. */
    String name();

    /**
     * Processes one document.
     *
     * @param counters the step's own counters (e.g. {@code emails_masked}), summed over all tasks into stats.json
     * @return null to keep the document, else the reason it is dropped (e.g. {@code gopher_short_document})
     */
    String process(Document doc, Counters counters);
}
