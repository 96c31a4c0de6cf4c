package io.sparkgpt.model.cli;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.model.LrSchedule;
import io.sparkgpt.model.TrainConfig;
import picocli.CommandLine.Option;

/**
 * The AdamW and learning-rate options ({@code --lr --min-lr --warmup --weight-decay --beta1 --beta2 --grad-clip
 * --batch-size}) of {@code gpt train} and every Spark training job, as one picocli mixin. The defaults come from one
 * {@link TrainConfig}: {@link TrainConfig#defaults()}, or a job's own (e.g. SFT's lower learning rate), written
 * where the job declares the mixin.
 */
public final class OptimizerOptions {
    @Option(names = "--lr", description = "peak learning rate (default: ${DEFAULT-VALUE})")
    public double lr;
    @Option(names = "--min-lr", description = "cosine floor, at most --lr (default: ${DEFAULT-VALUE})")
    public double minLr;
    @Option(names = "--warmup", description = "warmup steps (default: ${DEFAULT-VALUE})")
    public int warmup;
    @Option(names = "--weight-decay", description = "AdamW decay (default: ${DEFAULT-VALUE})")
    public double weightDecay;
    @Option(names = "--beta1", description = "AdamW beta1 (default: ${DEFAULT-VALUE})")
    public double beta1;
    @Option(names = "--beta2", description = "AdamW beta2 (default: ${DEFAULT-VALUE})")
    public double beta2;
    @Option(names = "--grad-clip", description = "global-norm clip, 0 = off (default: ${DEFAULT-VALUE})")
    public double gradClip;
    @Option(names = "--batch-size", description = "sequences per optimizer step (per worker in the Spark jobs) "
            + "(default: ${DEFAULT-VALUE})")
    public int batchSize;

    /** The defaults of {@link TrainConfig#defaults()}. */
    public OptimizerOptions() {
        this(TrainConfig.defaults());
    }

    /** Defaults from {@code defaults}' optimizer settings and batch size (micro-batch x accumulation). */
    public OptimizerOptions(TrainConfig defaults) {
        lr = defaults.learningRate();
        minLr = defaults.minLr();
        warmup = defaults.warmupSteps();
        weightDecay = defaults.weightDecay();
        beta1 = defaults.beta1();
        beta2 = defaults.beta2();
        gradClip = defaults.gradClip();
        batchSize = defaults.batchSize();
    }

    /**
     * {@code base} with these options, a decay horizon of {@code decaySteps} and micro-batches of {@code micro}
     * sequences ({@code --batch-size / micro} accumulated); a bad value is a usage error naming it.
     */
    public TrainConfig trainConfig(TrainConfig base, int decaySteps, int micro) {
        if (micro < 1 || batchSize % micro != 0) {
            throw new UsageException("--batch-size " + batchSize + " is not a multiple of the micro-batch " + micro);
        }
        return valid(() -> optimizer(base, decaySteps).withBatch(micro, batchSize / micro));
    }

    /** {@code base} with these AdamW and schedule settings (its batch as it is); --min-lr at most --lr. */
    public TrainConfig optimizer(TrainConfig base, int decaySteps) {
        return valid(() -> base.withLearningRate(lr).withMinLr(Math.min(minLr, lr)).withWarmupSteps(warmup)
                .withMaxSteps(decaySteps).withWeightDecay(weightDecay).withBetas(beta1, beta2).withGradClip(gradClip));
    }

    /** The learning-rate schedule of these options over {@code decaySteps} steps (--min-lr at most --lr). */
    public LrSchedule schedule(int decaySteps) {
        return new LrSchedule(lr, Math.min(minLr, lr), warmup, decaySteps);
    }

    private static TrainConfig valid(java.util.function.Supplier<TrainConfig> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }
}
