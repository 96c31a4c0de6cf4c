package io.sparkgpt.trainer.posttrain;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.model.align.PpoConfig;
import io.sparkgpt.model.align.PpoTask;
import io.sparkgpt.model.align.RewardModel;
import io.sparkgpt.model.align.ScalarHead;
import io.sparkgpt.model.posttrain.Classification;
import io.sparkgpt.model.posttrain.ExactMatch;
import io.sparkgpt.model.posttrain.PairwiseScorer;
import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.TokenizerFiles;
import io.sparkgpt.tokenizer.chat.BadRecords;
import io.sparkgpt.tokenizer.chat.ChatExample;
import io.sparkgpt.tokenizer.chat.ChatJsonl;
import io.sparkgpt.tokenizer.chat.ChatTemplate;
import io.sparkgpt.tokenizer.chat.ChatTokens;
import io.sparkgpt.tokenizer.chat.PreferencePair;
import io.sparkgpt.trainer.align.AlignData;
import io.sparkgpt.trainer.align.AnswerChecker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code evaluate.sh --model <run|model.ckpt> [--text F] [--labelled F] [--exact-match F] [--preferences F]}: the
 * figures of a model on held-out sets, each set optional:
 * <ul>
 *   <li>text: loss (nats/token), perplexity and bits per byte over consecutive context windows;</li>
 *   <li>labelled JSONL (prompt/completion or messages, the answer a class label): the model's greedy answer as the
 *       predicted label; accuracy, precision/recall/F1 per class and macro, confusion matrix;</li>
 *   <li>exact-match JSONL: the share of greedy answers equal to the reference;</li>
 *   <li>preference JSONL (prompt/chosen/rejected, hh-rlhf): pairwise accuracy, the share of pairs where the chosen
 *       answer scores higher (ties counted apart). The scorer: a reward model's scalar when {@code --model} is one
 *       (from {@code train-reward.sh}: its head is in the checkpoint), DPO's implicit reward when
 *       {@code --reference} names the DPO run's reference model, else the summed log-probability of the answer.</li>
 * </ul>
 * One JSON report ({@code --report}, default {@code <model run>/eval.json} beside a run) and one line per figure on
 * stdout ({@code figure <name> <value>}). Runs on the driver (no executors needed); bad lines are named, counted,
 * skipped. A model without the chat tokens (a base model) is given rows for them as SFT does.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluates a GPT: loss/perplexity/bits-per-byte on text, classification figures, exact match, "
                + "pairwise preference accuracy; one JSON report and a line per figure.")
public final class EvaluateJob implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a model.ckpt or a run folder holding model/model.ckpt")
    String model;
    @Option(names = "--tokenizer", description = "tokenizer folder (default: <run>/tokenizer when --model is a run)")
    String tokenizer;
    @Option(names = "--text", description = "plain text file for loss, perplexity, bits per byte")
    String text;
    @Option(names = "--labelled", description = "JSONL whose answers are class labels")
    String labelled;
    @Option(names = "--exact-match", description = "JSONL of questions with reference answers")
    String exactMatch;
    @Option(names = "--preferences", description = "preference JSONL (prompt/chosen/rejected or hh-rlhf)")
    String preferences;
    @Option(names = "--reference", description = "the DPO/PPO run's --init (model.ckpt or run folder): with "
            + "--preferences, pairs are scored by DPO's implicit reward log p(answer) - log p_ref(answer); with "
            + "--exact-match, also the sampled answers' checker reward and KL to this model, as ppo.sh reports them")
    String reference;
    @Option(names = "--limit", defaultValue = "0", description = "records per set at most; 0 = all (default: ${DEFAULT-VALUE})")
    int limit;
    @Option(names = "--max-new-tokens", defaultValue = "16", description = "longest generated answer (default: ${DEFAULT-VALUE})")
    int maxNewTokens;
    @Option(names = "--report", description = "JSON report path (default: <run>/eval.json, or eval.json beside the model file)")
    String report;
    @Option(names = "--samples", defaultValue = "1", description = "with --reference: answers sampled per exact-match "
            + "problem for the sampled reward and KL (more: a tighter estimate) (default: ${DEFAULT-VALUE})")
    int samples;
    @Option(names = "--seed", defaultValue = "1337", description = "seed of the chat-token rows a base model is given (default: ${DEFAULT-VALUE})")
    long seed;

    public static void main(String[] args) {
        Cli.main(new EvaluateJob(), args);
    }

    @Override
    public Integer call() {
        if (text == null && labelled == null && exactMatch == null && preferences == null) {
            throw new UsageException("nothing to evaluate: give --text, --labelled, --exact-match or --preferences");
        }
        Storage storage = new Storage(new Configuration());
        boolean isRun = !model.endsWith(".ckpt");
        String ckptPath = isRun ? Storage.child(Storage.child(model, "model"), "model.ckpt") : model;
        storage.requireExists("--model", ckptPath);
        String tokDir = tokenizer != null ? tokenizer : isRun ? Storage.child(model, "tokenizer") : null;
        if (tokDir == null) {
            throw new UsageException("--tokenizer is required when --model is a model file");
        }
        storage.requireExists("--tokenizer vocabulary", Storage.child(tokDir, TokenizerFiles.VOCAB));
        for (String[] f : new String[][] {{"--text", text}, {"--labelled", labelled}, {"--exact-match", exactMatch},
            {"--preferences", preferences}}) {
            if (f[1] != null) {
                storage.requireExists(f[0], f[1]);
            }
        }
        String tj = Storage.child(tokDir, TokenizerFiles.TOKENIZER_JSON);
        BpeTokenizer base = TokenizerFiles.fromStrings(storage.readString(Storage.child(tokDir, TokenizerFiles.VOCAB)),
                storage.readString(Storage.child(tokDir, TokenizerFiles.MERGES)),
                storage.exists(tj) ? storage.readString(tj) : null, tokDir);
        BpeTokenizer tok = ChatTokens.addTo(base);
        ChatTemplate template = new ChatTemplate(tok);
        Checkpoint ckpt = Checkpoint.load(storage, ckptPath);
        String head = ckpt.meta().get(RewardModel.HEAD_KEY);
        String refPath = null;
        if (reference != null) {
            if (head != null) {
                throw new UsageException("--reference: " + ckptPath + " is a reward model; its pairs are scored by its "
                        + "head, not by an implicit reward");
            }
            refPath = reference.endsWith(".ckpt") ? reference : Storage.child(Storage.child(reference, "model"),
                    "model.ckpt");
            storage.requireExists("--reference", refPath);
        }
        GPT loaded = ckpt.toModel();
        GPT gpt = loaded.config().vocabSize() < tok.vocabSize() ? loaded.withVocabSize(tok.vocabSize(), seed) : loaded;
        GPT ref = refPath == null ? null : grown(Checkpoint.load(storage, refPath).toModel(), gpt.config().vocabSize());

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", model);
        out.put("model_has_chat_tokens", gpt == loaded);
        Map<String, Double> figures = new LinkedHashMap<>();
        try {
            if (text != null) {
                out.put("text", textFigures(storage, gpt, base, figures));
            }
            if (exactMatch != null) {
                out.put("exact_match", exactMatchFigures(storage, gpt, template, figures));
                if (ref != null) {
                    out.put("sampled", sampledFigures(storage, gpt, ref, template, figures));
                }
            }
            if (labelled != null) {
                out.put("labelled", labelledFigures(storage, gpt, template, figures));
            }
            if (preferences != null) {
                out.put("preferences", preferenceFigures(storage, gpt, template, head, ref, figures));
            }
        } finally {
            gpt.close();
            if (ref != null) {
                ref.close();
            }
            if (gpt != loaded) {
                loaded.close();
            }
        }
        out.put("figures", figures);
        String path = report != null ? report : isRun ? Storage.child(model, "eval.json")
                : new Path(new Path(model).getParent(), "eval.json").toString();
        storage.writeString(path, Json.write(out));
        figures.forEach((k, v) -> System.out.printf("figure %s %.6f%n", k, v));
        System.out.println("report " + path);
        return Cli.EXIT_OK;
    }

    private Map<String, Object> textFigures(Storage storage, GPT gpt, BpeTokenizer tok, Map<String, Double> fig) {
        int[] ids = tok.encode(storage.readString(text));
        int T = gpt.config().blockSize();
        List<int[]> xs = new ArrayList<>();
        List<int[]> ys = new ArrayList<>();
        long bytes = 0;
        for (int s = 0; s + T < ids.length && (limit == 0 || xs.size() < limit); s += T) {
            xs.add(java.util.Arrays.copyOfRange(ids, s, s + T));
            int[] y = java.util.Arrays.copyOfRange(ids, s + 1, s + T + 1);
            ys.add(y);
            bytes += tok.decodeBytes(y).length;
        }
        if (xs.isEmpty()) {
            throw new UsageException("--text " + text + ": " + ids.length + " tokens, fewer than one window of " + T);
        }
        double nats = 0;
        for (int i = 0; i < xs.size(); i += 16) {
            int e = Math.min(xs.size(), i + 16);
            int[][] x = xs.subList(i, e).toArray(new int[0][]);
            int[][] y = ys.subList(i, e).toArray(new int[0][]);
            nats += gpt.loss(x, y) * (e - i) * T;
        }
        long tokens = (long) xs.size() * T;
        double loss = nats / tokens;
        fig.put("text.loss", loss);
        fig.put("text.perplexity", Math.exp(loss));
        fig.put("text.bits_per_byte", nats / Math.log(2) / bytes);
        return Map.of("path", text, "windows", xs.size(), "tokens", tokens, "bytes", bytes);
    }

    private List<ChatExample> examples(Storage storage, String path, BadRecords bad) {
        List<ChatExample> all = SftJob.read(storage, path, bad);
        SftJob.report(bad, path);
        return limit > 0 && all.size() > limit ? all.subList(0, limit) : all;
    }

    private Map<String, Object> exactMatchFigures(Storage storage, GPT gpt, ChatTemplate t, Map<String, Double> fig) {
        BadRecords bad = new BadRecords();
        List<ChatExample> ex = examples(storage, exactMatch, bad);
        List<Map<String, Object>> samples = new ArrayList<>();
        List<String> wrong = new ArrayList<>(); // per record, so two models compare pair by pair on one set
        int ok = 0;
        for (ChatExample e : ex) {
            ExactMatch.Graded g = ExactMatch.grade(gpt, t, e, maxNewTokens);
            ok += g.correct() ? 1 : 0;
            if (!g.correct()) {
                wrong.add(g.origin());
            }
            if (samples.size() < 20) {
                samples.add(Map.of("origin", g.origin(), "expected", g.expected(), "answer", g.answer(),
                        "correct", g.correct()));
            }
        }
        double acc = ex.isEmpty() ? Double.NaN : (double) ok / ex.size();
        fig.put("exact_match", acc);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", exactMatch);
        m.put("n", ex.size());
        m.put("correct", ok);
        m.put("accuracy", acc);
        m.put("skipped", bad.counts());
        m.put("samples", samples);
        m.put("wrong", wrong);
        return m;
    }

    private Map<String, Object> labelledFigures(Storage storage, GPT gpt, ChatTemplate t, Map<String, Double> fig) {
        BadRecords bad = new BadRecords();
        List<ChatExample> ex = examples(storage, labelled, bad);
        List<String> ref = new ArrayList<>();
        List<String> pred = new ArrayList<>();
        for (ChatExample e : ex) {
            ExactMatch.Graded g = ExactMatch.grade(gpt, t, e, maxNewTokens);
            ref.add(g.expected());
            pred.add(g.answer());
        }
        Classification.Report r = Classification.of(ref, pred);
        fig.put("labelled.accuracy", r.accuracy());
        fig.put("labelled.macro_precision", r.macroPrecision());
        fig.put("labelled.macro_recall", r.macroRecall());
        fig.put("labelled.macro_f1", r.macroF1());
        for (Classification.ClassFigures c : r.perClass()) {
            fig.put("labelled.f1." + c.label(), c.f1());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", labelled);
        m.put("report", r);
        m.put("skipped", bad.counts());
        return m;
    }

    /** A reference model with the chat-token rows the evaluated model has (grown as SFT and DPO grow them). */
    private GPT grown(GPT r, int vocab) {
        if (r.config().vocabSize() >= vocab) {
            return r;
        }
        try (r) {
            return r.withVocabSize(vocab, seed);
        }
    }

    /**
     * With {@code --reference}: the model's answers to the exact-match prompts sampled at temperature 1 exactly as
     * PPO's held-out evaluation samples them (same seeds), their mean checker reward and the mean summed
     * log-ratio {@code log p - log p_ref} over the answer tokens: the KL estimate {@code ppo.sh} reports, here for
     * any model (DPO's or SFT's), so that gains and KL compare across the alignment methods.
     */
    private Map<String, Object> sampledFigures(Storage storage, GPT gpt, GPT ref, ChatTemplate t,
                                               Map<String, Double> fig) {
        List<AlignData.Prompt> ps = AlignData.prompts(storage, exactMatch, t, gpt.config().blockSize(), maxNewTokens,
                100, new BadRecords()).val();
        if (limit > 0 && ps.size() > limit) {
            ps = ps.subList(0, limit);
        }
        if (samples < 1) {
            throw new UsageException("--samples " + samples + ": needs at least 1");
        }
        // each problem `samples` times over: every copy draws its own answer (the rollout seed follows the index)
        List<int[]> ids = new ArrayList<>();
        for (int k = 0; k < samples; k++) {
            ps.forEach(p -> ids.add(p.ids()));
        }
        PpoTask task = new PpoTask(gpt, ref, ScalarHead.create(gpt.config().nEmbd(), seed),
                TrainConfig.defaults().withSeed(seed), PpoConfig.defaults(maxNewTokens, t.stopToken()), ids, ids,
                AnswerChecker.of(t, ps));
        Map<String, Object> m = task.evaluate();
        fig.put("sampled.reward", ((Number) m.get("val_reward")).doubleValue());
        fig.put("kl_to_reference", ((Number) m.get("val_kl")).doubleValue());
        m.put("reference", reference);
        m.put("samples_per_problem", samples);
        return m;
    }

    private Map<String, Object> preferenceFigures(Storage storage, GPT gpt, ChatTemplate t, String head,
                                                  GPT ref, Map<String, Double> fig) {
        BadRecords bad = new BadRecords();
        List<PreferencePair> pairs;
        try (BufferedReader r = ChatJsonl.reader(storage.fs(preferences).open(new Path(preferences)), preferences)) {
            pairs = ChatJsonl.readPreferences(r, preferences, bad);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + preferences, e);
        }
        SftJob.report(bad, preferences);
        if (limit > 0 && pairs.size() > limit) {
            pairs = pairs.subList(0, limit);
        }
        PairwiseScorer scorer;
        String name;
        if (head != null) {
            // the trunk was trained with the chat tokens, so gpt is the loaded model itself
            scorer = PairwiseScorer.reward(new RewardModel(gpt, ScalarHead.decode(head, model)), t);
            name = "reward model: the head's scalar at the last token";
        } else if (ref != null) {
            scorer = PairwiseScorer.implicitReward(gpt, ref, t);
            name = "DPO implicit reward: log p(answer) - log p_ref(answer), reference " + reference;
        } else {
            scorer = PairwiseScorer.logProb(gpt, t);
            name = "summed log-probability of the answer tokens";
        }
        int wins = 0;
        int ties = 0;
        double margin = 0;
        for (PreferencePair p : pairs) {
            double[] s = scorer.score(p);
            wins += s[0] > s[1] ? 1 : 0;
            ties += s[0] == s[1] ? 1 : 0;
            margin += s[0] - s[1];
        }
        double acc = pairs.isEmpty() ? Double.NaN : (double) wins / pairs.size();
        fig.put("pairwise_accuracy", acc);
        fig.put("pairwise_margin", pairs.isEmpty() ? Double.NaN : margin / pairs.size());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", preferences);
        m.put("pairs", pairs.size());
        m.put("chosen_higher", wins);
        m.put("ties", ties);
        m.put("scorer", name);
        m.put("skipped", bad.counts());
        return m;
    }
}
