package io.sparkgpt.trainer.distill;

import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.TokenWindows;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.model.compress.DistillationLoss;
import io.sparkgpt.trainer.GptModel;
import io.sparkgpt.trainer.LocalModel;
import io.sparkgpt.trainer.LocalTrainer;
import io.sparkgpt.trainer.LocalWork;
import io.sparkgpt.trainer.RoundContext;
import io.sparkgpt.trainer.RunConfig;

/**
 * Distillation's local work: the same random windows of the worker's token stream as pretraining
 * ({@link io.sparkgpt.trainer.TokenWindowTrainer}, seeded with (seed, round, worker)), but each step's loss is
 * {@link DistillationLoss} against the teacher's logits for the same windows, computed on the worker by a teacher
 * built from the parameters this trainer carries (shipped with the round's closure: fine for the small teachers
 * trained here; a broadcast would suit a large one). The reported loss is the distillation loss.
 */
public final class DistillTrainer implements LocalTrainer<int[]> {
    private final String teacherConfig;
    private final float[] teacherParams;
    private final String train;
    private final double temperature, kdWeight, alpha;

    public DistillTrainer(GPTConfig teacherConfig, float[] teacherParams, TrainConfig train, double temperature,
                          double kdWeight, double alpha) {
        this.teacherConfig = teacherConfig.toJson();
        this.teacherParams = teacherParams;
        this.train = train.toJson();
        this.temperature = temperature;
        this.kdWeight = kdWeight;
        this.alpha = alpha;
    }

    @Override
    public LocalWork train(LocalModel model, int[] shard, RoundContext ctx) {
        RunConfig cfg = ctx.cfg();
        GPT student = ((GptModel) model).gpt();
        TrainConfig tc = TrainConfig.fromJson(train);
        TokenWindows windows = new TokenWindows(shard, cfg.blockSize(), ctx.dataSeed());
        double lossSum = 0;
        try (GPT teacher = GPT.create(GPTConfig.fromJson(teacherConfig), 0)) {
            teacher.setParams(teacherParams);
            int V = teacher.config().vocabSize();
            for (int i = 0; i < cfg.localSteps(); i++) {
                TokenWindows.Batch b = windows.next(cfg.batchSize());
                float[] tl = DistillationLoss.teacherLogits(teacher, b.x());
                double loss = student.gradient(b.x(), new DistillationLoss(tl, b.y(), temperature, kdWeight, alpha, V),
                        tc);
                student.update(ctx.lr(i), tc);
                ctx.checkFinite(loss, i);
                lossSum += loss;
            }
        }
        return new LocalWork(lossSum, cfg.localSteps(), (long) cfg.localSteps() * cfg.batchSize() * cfg.blockSize());
    }
}
