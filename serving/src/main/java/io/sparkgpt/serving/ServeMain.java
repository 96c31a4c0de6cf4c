package io.sparkgpt.serving;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.infer.Precision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code serve}: one replica of the OpenAI-compatible server for a trained checkpoint. Stops cleanly on SIGTERM. */
@Command(name = "serve", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Serve a trained GPT over OpenAI's HTTP API (/v1/completions, /v1/chat/completions, "
                + "/v1/models, /health, /metrics).")
public final class ServeMain implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "checkpoint file, a folder holding model.ckpt, or a "
            + "run folder holding model/model.ckpt")
    Path model;
    @Option(names = "--tokenizer", description = "tokenizer folder (default: the one the checkpoint names, else "
            + "tokenizer/ beside it)")
    Path tokenizer;
    @Option(names = "--model-id", description = "the model's name in the API (default: sparkgpt-<run folder>)")
    String modelId;
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (0.0.0.0 for all)")
    String host;
    @Option(names = "--port", defaultValue = "8000") int port;
    @Option(names = "--api-key-file", description = "file of accepted API keys, one per line (default: no key "
            + "needed)")
    Path apiKeyFile;
    @Option(names = "--max-batch", defaultValue = "16", description = "sequences decoded together at most")
    int maxBatch;
    @Option(names = "--queue", defaultValue = "64", description = "requests waiting at most; more get 429")
    int queue;
    @Option(names = "--default-max-tokens", defaultValue = "16", description = "max_tokens when a request gives none")
    int defaultMaxTokens;
    @Option(names = "--max-body-bytes", defaultValue = "1048576", description = "larger request bodies get 413")
    int maxBodyBytes;
    @Option(names = "--drain-seconds", defaultValue = "20", description = "on SIGTERM, time given to running "
            + "requests")
    int drainSeconds;
    @Option(names = "--quantize", description = "int8: matrices in Q8_0 blocks (about 4x less memory; products "
            + "from the int8 values); default: float32 for a checkpoint, the stored precision for a model file")
    Quantize quantize;
    @Option(names = "--threads", defaultValue = "1", description = "BLAS threads of the model")
    int threads;

    /** The precisions {@code --quantize} takes. */
    enum Quantize { int8, none }

    public static void main(String[] args) {
        Cli.main(new ServeMain(), args);
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.exists(model)) {
            throw new UsageException("--model " + model + ": not found");
        }
        if (apiKeyFile != null && !Files.isRegularFile(apiKeyFile)) {
            throw new UsageException("--api-key-file " + apiKeyFile + ": not found");
        }
        if (maxBatch < 1 || queue < 1 || defaultMaxTokens < 1 || maxBodyBytes < 1 || drainSeconds < 0) {
            throw new UsageException("--max-batch, --queue, --default-max-tokens and --max-body-bytes must be >= 1, "
                    + "--drain-seconds >= 0");
        }
        ServedModel m;
        ApiKeys keys;
        try {
            m = ServedModel.load(model, tokenizer, modelId, quantize == null ? null
                    : quantize == Quantize.int8 ? Precision.INT8 : Precision.FLOAT32);
            keys = apiKeyFile != null ? ApiKeys.load(apiKeyFile) : ApiKeys.none();
        } catch (RuntimeException e) {
            throw new UsageException(e.getMessage(), e);
        }
        GPT.setBlasThreads(threads);
        OpenAiServer server = new OpenAiServer(m, new OpenAiServer.Config(host, port, maxBatch, queue,
                defaultMaxTokens, maxBodyBytes, drainSeconds * 1000L, keys));
        server.start();
        System.out.printf("serve: %s (%s, %,d bytes of weights, context %d, vocabulary %d) on http://%s:%d%s%n",
                m.id(), m.model().precision(), m.model().weightBytes(), m.contextLength(), m.tokenizer().vocabSize(), host, server.port(),
                keys.required() ? " (API key required)" : "");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("serve: stopping (draining up to " + drainSeconds + " s)");
            try {
                server.close();
            } catch (Exception e) {
                System.err.println("serve: error while stopping: " + e);
            }
            stopped.countDown();
        }, "serve-shutdown"));
        stopped.await();
        return Cli.EXIT_OK;
    }
}
