package io.sparkgpt.model.align;

import io.sparkgpt.model.GPT;
import java.util.Map;

/**
 * One alignment job's training step and evaluation (reward model, DPO, PPO), driven by {@link AlignLoop}. A step's
 * batch and random draws must be a function of (seed, step) only, so that a resumed run is the uninterrupted one.
 */
public interface AlignTask {
    /** Short name written into checkpoints ("reward", "dpo", "ppo"): a checkpoint of another kind is refused. */
    String kind();

    /** The trained GPT (trunk and optimizer state go into the checkpoint). */
    GPT model();

    /** One optimizer step at learning rate {@code lr}; returns its metrics (at least "loss"). */
    Map<String, Object> step(long step, double lr);

    /** Held-out metrics (no state changes); the early-stopping metric is one of them. */
    Map<String, Object> evaluate();

    /** State beyond the GPT's (a head, counters) as checkpoint metadata. */
    Map<String, String> state();

    /** Restores {@link #state()} from a checkpoint's metadata; {@code name} (the file) goes into errors. */
    void restore(Map<String, String> meta, String name);
}
