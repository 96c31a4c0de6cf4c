package io.sparkgpt.spark;

import java.io.PrintStream;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkContext;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;

/**
 * Progress a person can follow for every Spark job of a run, on stderr at any log level: every {@code interval}
 * seconds while a job runs, one line with its description, tasks done of the tasks known, input read (MB, MB/s),
 * records read (records/s) and an ETA from the task rate; when a job that was reported ends, one summary line.
 * Jobs shorter than the interval print nothing. A job that prints its own progress sets the local property
 * {@link #OWN_PROGRESS} and is left alone. Counts come from task-end events (Spark reports metrics when a task
 * ends), so one long task shows no movement until it ends.
 */
public final class JobProgress extends SparkListener {
    /** Local property (SparkContext.setLocalProperty) that silences this listener for the jobs it is set on. */
    public static final String OWN_PROGRESS = "sparkgpt.progress.own";

    private final PrintStream out;
    private final double intervalSeconds;
    private final ScheduledExecutorService timer;
    private Job job; // guarded by this

    /** The state of the running job (the last one started: jobs of one run are sequential). */
    private static final class Job {
        final int id;
        final String name;
        final long startNanos = System.nanoTime();
        /** stages of the job not submitted yet (a stage Spark skips is never submitted) -> their tasks */
        final TreeMap<Integer, Integer> pending = new TreeMap<>();
        long submittedTasks;
        long tasksDone;
        long bytesRead;
        long recordsRead;
        boolean reported;

        Job(int id, String name) {
            this.id = id;
            this.name = name;
        }

        long knownTasks() {
            long t = submittedTasks;
            for (int n : pending.values()) {
                t += n;
            }
            return t;
        }
    }

    JobProgress(PrintStream out, double intervalSeconds) {
        this.out = out;
        this.intervalSeconds = intervalSeconds;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sparkgpt-job-progress");
            t.setDaemon(true);
            return t;
        });
        long ms = (long) (intervalSeconds * 1000);
        timer.scheduleAtFixedRate(this::report, ms, ms, TimeUnit.MILLISECONDS);
    }

    /**
     * Registers progress reporting on {@code sc} (spark.sparkgpt.progress.interval seconds, default 10; 0 turns it
     * off) and returns it, or null when off.
     */
    public static JobProgress register(SparkContext sc) {
        double interval = sc.getConf().getDouble("spark.sparkgpt.progress.interval", 10);
        if (interval <= 0) {
            return null;
        }
        JobProgress p = new JobProgress(System.err, interval);
        sc.addSparkListener(p);
        return p;
    }

    @Override
    public synchronized void onJobStart(SparkListenerJobStart e) {
        Properties props = e.properties();
        if (props != null && "true".equals(props.getProperty(OWN_PROGRESS))) {
            job = null;
            return;
        }
        String desc = props == null ? null : props.getProperty("spark.job.description");
        Job j = new Job(e.jobId(), desc != null ? desc : "job " + e.jobId());
        for (StageInfo s : scala.collection.JavaConverters.seqAsJavaList(e.stageInfos())) {
            j.pending.put(s.stageId(), s.numTasks());
        }
        job = j;
    }

    @Override
    public synchronized void onStageSubmitted(SparkListenerStageSubmitted e) {
        if (job == null) {
            return;
        }
        int id = e.stageInfo().stageId();
        Integer n = job.pending.remove(id);
        // stages run in id order: a stage of this job with a smaller id not submitted by now was skipped
        job.pending.headMap(id).clear();
        job.submittedTasks += n != null ? n : e.stageInfo().numTasks();
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd e) {
        if (job == null) {
            return;
        }
        job.tasksDone++;
        TaskMetrics m = e.taskMetrics();
        if (m != null) {
            job.bytesRead += m.inputMetrics().bytesRead();
            job.recordsRead += m.inputMetrics().recordsRead();
        }
    }

    @Override
    public synchronized void onJobEnd(SparkListenerJobEnd e) {
        if (job != null && job.id == e.jobId()) {
            if (job.reported) {
                double s = (System.nanoTime() - job.startNanos) / 1e9;
                out.printf("[spark] %s: done in %s, %,d tasks, %s read, %,d records%n", job.name, duration(s),
                        job.tasksDone, mb(job.bytesRead), job.recordsRead);
            }
            job = null;
        }
    }

    private synchronized void report() {
        if (job == null) {
            return;
        }
        double s = (System.nanoTime() - job.startNanos) / 1e9;
        if (s < intervalSeconds * 0.9) {
            return;
        }
        job.reported = true;
        out.println("[spark] " + line(job.name, job.tasksDone, job.knownTasks(), job.bytesRead, job.recordsRead, s));
    }

    /** One progress line. */
    static String line(String name, long done, long total, long bytes, long records, double seconds) {
        StringBuilder b = new StringBuilder(name).append(": tasks ").append(done).append('/').append(total);
        if (bytes > 0) {
            b.append(", ").append(mb(bytes)).append(" read (")
                    .append(String.format("%.2f MB/s", bytes / 1e6 / Math.max(seconds, 1e-9))).append(')');
        }
        if (records > 0) {
            b.append(String.format(", %,d records (%,.0f/s)", records, records / Math.max(seconds, 1e-9)));
        }
        b.append(", ").append(duration(seconds)).append(" elapsed");
        b.append(", ETA ").append(eta(done, total, seconds));
        return b.toString();
    }

    /** Time left at the rate so far: "?" before the first unit of work is done. */
    public static String eta(long done, long total, double seconds) {
        if (done <= 0 || total <= 0) {
            return "?";
        }
        return duration(Math.max(0, seconds * (total - done) / done));
    }

    public static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format("%dm%02ds", s / 60, s % 60);
        }
        return String.format("%dh%02dm", s / 3600, (s % 3600) / 60);
    }

    public static String mb(long bytes) {
        return String.format("%.1f MB", bytes / 1e6);
    }

    /** Stops the timer (the listener itself goes with its SparkContext). */
    public void close() {
        timer.shutdownNow();
    }
}
