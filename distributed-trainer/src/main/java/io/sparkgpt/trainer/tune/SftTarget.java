package io.sparkgpt.trainer.tune;

import io.sparkgpt.common.io.Storage;
import io.sparkgpt.model.posttrain.Classification;
import io.sparkgpt.model.posttrain.ExactMatch;
import io.sparkgpt.tokenizer.chat.ChatExample;
import io.sparkgpt.trainer.DistributedTrainer;
import io.sparkgpt.trainer.GptModel;
import io.sparkgpt.trainer.LocalModel;
import io.sparkgpt.trainer.posttrain.ChatValidation;
import io.sparkgpt.trainer.posttrain.SftJob;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * SFT trials and folds: the trial's task parses the job's flags into {@link SftJob} and runs its
 * {@link SftJob#plan} (the job's own reading, templating, layout and validation) with one worker. The JSONL and the
 * base model are read by each task from storage: they are small beside a trial's training.
 */
public final class SftTarget implements Target {
    @Override
    public String budgetOption() {
        return "max-rounds";
    }

    @Override
    public List<String> horizonArgs(long maxBudget, List<String> args) {
        return Target.roundsHorizon(Target.parse(new SftJob(), args), maxBudget);
    }

    @Override
    public TrialRun trial(List<String> args) {
        Target.parse(new SftJob(), args); // flags checked on the driver; the task parses them again
        return new Trial(List.copyOf(args), null);
    }

    @Override
    public TrialRun fold(List<String> args, Fold fold) {
        Target.parse(new SftJob(), args);
        return new Trial(List.copyOf(args), fold);
    }

    /** An example's id for the folds: its conversation (JSONL chat records carry no id; duplicates share a fold). */
    static String exampleId(ChatExample ex) {
        return ex.messages().stream().map(m -> m.role() + "\u0000" + m.content())
                .collect(Collectors.joining("\u0001"));
    }

    private record Trial(List<String> args, Fold fold) implements TrialRun {
        @Override
        public Outcome run(Storage storage, String dir, PrintStream log) {
            SftJob job = Target.parse(new SftJob(), args);
            Predicate<ChatExample> heldOut = fold == null ? null : ex -> fold.holds(exampleId(ex));
            SftJob.Plan p = job.plan(storage, heldOut);
            Map<String, Double> onTrain = new LinkedHashMap<>();
            Map<String, Double> onHeldOut = new LinkedHashMap<>();
            DistributedTrainer.FinalModelWriter write = job.finalModel(storage, p.train());
            DistributedTrainer.Summary s = DistributedTrainer.inProcess(storage, p.run(),
                    GptModel.factory(p.model(), p.train(), p.run().seed()), p.shards().get(0), p.shardSizes().get(0),
                    p.job(), dir, log).run(true, (m, d, progress) -> {
                        write.write(m, d, progress);
                        if (fold != null) { // the final model on both sides of the fold, the same figures
                            // as many training examples graded as held-out ones: the same cost and precision
                            List<ChatExample> seen = p.trainExamples().subList(0,
                                    Math.min(p.trainExamples().size(), p.valExamples().size()));
                            onTrain.putAll(figures(m, p, p.trainRows(), seen));
                            onHeldOut.putAll(figures(m, p, p.valRows(), p.valExamples()));
                        }
                    });
            if (fold == null) {
                return new Outcome(s, Map.of());
            }
            Map<String, Double> both = new LinkedHashMap<>();
            onTrain.forEach((k, v) -> both.put("train_" + k, v));
            onHeldOut.forEach((k, v) -> both.put("heldout_" + k, v));
            return new Outcome(s, both);
        }
    }

    /**
     * Loss on the rows, and the answers graded against the references: accuracy and macro precision, recall and F1
     * over the reference answers as classes (a classification task's labels; for free-form answers accuracy is
     * exact match).
     */
    static Map<String, Double> figures(LocalModel m, SftJob.Plan p, List<io.sparkgpt.model.posttrain.SftRow> rows,
                                       List<ChatExample> examples) {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("loss", ChatValidation.loss(m, rows, p.batchSize(), p.padId()));
        List<String> ref = new ArrayList<>();
        List<String> pred = new ArrayList<>();
        for (ChatExample ex : examples) {
            ExactMatch.Graded g = ExactMatch.grade(((GptModel) m).gpt(), p.template(), ex, p.maxNewTokens());
            ref.add(g.expected());
            pred.add(g.answer());
        }
        if (!ref.isEmpty()) {
            Classification.Report r = Classification.of(ref, pred);
            out.put("accuracy", r.accuracy());
            out.put("precision", r.macroPrecision());
            out.put("recall", r.macroRecall());
            out.put("f1", r.macroF1());
        }
        return out;
    }

}
