package io.sparkgpt.pipeline.step;

import io.sparkgpt.common.cli.UsageException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The preprocessing recipe: an ordered list of per-document steps (run inside one streaming pass over each input
 * file) followed by an ordered list of corpus-level {@link DatasetStep}s. Immutable; {@code then} returns a new
 * recipe. Reads like the pipeline it runs, e.g. the preprocess job's FineWeb recipe:
 * <pre>
 *   Recipe.of(new SelectStep(), new ExtractStep(..), new LanguageStep(..), new GopherRepetitionFilter(..),
 *             new GopherQualityFilter(..), new C4QualityFilter(..), new FineWebQualityFilter(..), new PiiStep())
 *         .then(new MinHashDedupStep(..))      // a DatasetStep: one line to append
 * </pre>
 */
public final class Recipe implements Serializable {
    private final List<DocumentStep> documentSteps;
    private final List<DatasetStep> datasetSteps;

    private Recipe(List<DocumentStep> documentSteps, List<DatasetStep> datasetSteps) {
        this.documentSteps = List.copyOf(documentSteps);
        this.datasetSteps = List.copyOf(datasetSteps);
        Set<String> names = new LinkedHashSet<>();
        for (String n : stepNames()) {
            if (!names.add(n)) {
                throw new IllegalArgumentException("two steps named " + n + " in one recipe");
            }
        }
    }

    public static Recipe of(DocumentStep... steps) {
        return new Recipe(List.of(steps), List.of());
    }

    public Recipe then(DocumentStep step) {
        if (!datasetSteps.isEmpty()) {
            throw new IllegalStateException("per-document step " + step.name() + " after corpus-level steps: "
                    + "per-document steps run first, in one pass");
        }
        List<DocumentStep> d = new ArrayList<>(documentSteps);
        d.add(step);
        return new Recipe(d, datasetSteps);
    }

    public Recipe then(DatasetStep step) {
        List<DatasetStep> d = new ArrayList<>(datasetSteps);
        d.add(step);
        return new Recipe(documentSteps, d);
    }

    /** Only the named steps, in recipe order; an unknown name is a {@link UsageException}. */
    public Recipe only(Collection<String> names) {
        List<String> all = stepNames();
        for (String n : names) {
            if (!all.contains(n)) {
                throw new UsageException("unknown step " + n + " (steps: " + String.join(",", all) + ")");
            }
        }
        return new Recipe(documentSteps.stream().filter(s -> names.contains(s.name())).toList(),
                datasetSteps.stream().filter(s -> names.contains(s.name())).toList());
    }

    public List<DocumentStep> documentSteps() {
        return documentSteps;
    }

    public List<DatasetStep> datasetSteps() {
        return datasetSteps;
    }

    public List<String> stepNames() {
        List<String> n = new ArrayList<>();
        documentSteps.forEach(s -> n.add(s.name()));
        datasetSteps.forEach(s -> n.add(s.name()));
        return n;
    }

    public boolean has(String name) {
        return stepNames().contains(name);
    }
}
