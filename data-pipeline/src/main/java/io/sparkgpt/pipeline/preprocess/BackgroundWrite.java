package io.sparkgpt.pipeline.preprocess;

/**
 * Runs a write on its own thread and lets the caller wait for it: the job submits the {@code excluded/<step>} and
 * {@code errors} writes this way so that their Spark jobs run while the corpus-level steps (dedup: dozens of small
 * jobs that leave cores idle between them) run on the caller's thread. A new thread per write: Spark's local
 * properties (job description, scheduler pool) are inherited from the creating thread, not from a pool's.
 */
final class BackgroundWrite {
    private final Thread thread;
    private volatile Throwable failure;

    BackgroundWrite(String name, Runnable write) {
        thread = new Thread(() -> {
            try {
                write.run();
            } catch (Throwable t) {
                failure = t;
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Waits for the write; rethrows what it threw. */
    void join() {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable t = failure;
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException(thread.getName() + " failed", t);
        }
    }
}
