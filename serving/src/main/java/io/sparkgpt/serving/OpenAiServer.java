package io.sparkgpt.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * OpenAI's HTTP API over one {@link ServedModel} on Jetty 12: {@code POST /v1/completions},
 * {@code POST /v1/chat/completions}, {@code GET /v1/models}, plus {@code GET /health} (503 while draining, for load
 * balancers) and {@code GET /metrics} (Prometheus). Each request is handled on its own Jetty thread, which queues
 * it in the {@link Scheduler} and waits for its tokens (or writes them as server-sent events).
 */
public final class OpenAiServer implements AutoCloseable {

    /**
     * @param host             address to bind (127.0.0.1 = this machine only; 0.0.0.0 behind a load balancer)
     * @param port             0 = any free port
     * @param maxBatch         sequences decoded together at most
     * @param queueCapacity    requests waiting for a batch slot at most; more are answered 429
     * @param defaultMaxTokens {@code max_tokens} when a request gives none
     * @param maxBodyBytes     larger request bodies are answered 413
     * @param drainMillis      on stop, how long queued and running requests may take to finish
     */
    public record Config(String host, int port, int maxBatch, int queueCapacity, int defaultMaxTokens,
                         int maxBodyBytes, long drainMillis, ApiKeys keys) {}

    private final ServedModel model;
    private final Config config;
    private final Metrics metrics = new Metrics();
    private final Scheduler scheduler;
    private final ChatFormat chat;
    private final ObjectMapper json = new ObjectMapper();
    private final Server server;
    private final ServerConnector connector;
    private final long created = System.currentTimeMillis() / 1000;

    public OpenAiServer(ServedModel model, Config config) {
        this.model = model;
        this.config = config;
        this.chat = ChatFormat.of(model.tokenizer());
        this.scheduler = new Scheduler(model.model(), model.tokenizer(), config.maxBatch(), config.queueCapacity(),
                metrics);
        metrics.bind(scheduler::queued, scheduler::activeSequences);
        // one thread per request in flight: queue + batch + a margin for health checks and refusals
        QueuedThreadPool pool = new QueuedThreadPool(Math.max(64, config.queueCapacity() + config.maxBatch() + 32),
                8);
        pool.setName("http");
        server = new Server(pool);
        connector = new ServerConnector(server);
        connector.setHost(config.host());
        connector.setPort(config.port());
        connector.setIdleTimeout(600_000);
        server.addConnector(connector);
        server.setHandler(new Api());
        server.setStopTimeout(config.drainMillis() + 5_000);
    }

    public OpenAiServer start() throws Exception {
        server.start();
        return this;
    }

    public int port() {
        return connector.getLocalPort();
    }

    public Metrics metrics() {
        return metrics;
    }

    /** Drains (health turns 503, new requests 503, running ones finish within drainMillis), then stops. */
    @Override
    public void close() throws Exception {
        scheduler.shutdown(config.drainMillis());
        server.stop();
        model.model().close();
    }

    private final class Api extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            long t0 = System.nanoTime();
            String path = Request.getPathInContext(request);
            String method = request.getMethod();
            String endpoint = switch (path) {
                case "/v1/completions", "/v1/chat/completions", "/v1/models", "/health", "/metrics" -> path;
                default -> path.startsWith("/v1/models/") ? "/v1/models" : "other";
            };
            int status;
            try {
                status = route(endpoint, path, method, request, response, callback);
            } catch (ApiError e) {
                status = e.status();
                if (e.status() == 429) {
                    response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
                }
                sendJson(response, callback, e.status(), e.toJson());
            } catch (RuntimeException e) {
                status = 500;
                sendJson(response, callback, 500, new ApiError(500, "server_error", "internal_error", null,
                        "internal error: " + e).toJson());
            }
            metrics.request(endpoint, status, System.nanoTime() - t0);
            return true;
        }
    }

    private int route(String endpoint, String path, String method, Request request, Response response,
                      Callback callback) {
        boolean post = method.equals("POST");
        boolean get = method.equals("GET");
        switch (endpoint) {
            case "/health" -> {
                requireMethod(get, method, path);
                boolean ok = scheduler.accepting();
                ObjectNode h = json.createObjectNode().put("status", ok ? "ok" : "draining").put("model", model.id())
                        .put("queue", scheduler.queued()).put("active", scheduler.activeSequences());
                sendJson(response, callback, ok ? 200 : 503, h);
                return ok ? 200 : 503;
            }
            case "/metrics" -> {
                requireMethod(get, method, path);
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                Content.Sink.write(response, true, metrics.render(), callback);
                return 200;
            }
            case "/v1/models" -> {
                requireMethod(get, method, path);
                config.keys().check(request.getHeaders().get(HttpHeader.AUTHORIZATION));
                ObjectNode card = json.createObjectNode().put("id", model.id()).put("object", "model")
                        .put("created", created).put("owned_by", "sparkgpt");
                card.put("context_length", model.contextLength());
                card.put("chat", chat.supported());
                card.put("precision", model.model().precision().name().toLowerCase(java.util.Locale.ROOT));
                if (path.startsWith("/v1/models/")) {
                    String id = path.substring("/v1/models/".length());
                    if (!id.equals(model.id())) {
                        throw new ApiError(404, "invalid_request_error", "model_not_found", "model",
                                "The model '" + id + "' does not exist; this server serves '" + model.id() + "'.");
                    }
                    sendJson(response, callback, 200, card);
                } else {
                    ObjectNode list = json.createObjectNode().put("object", "list");
                    list.putArray("data").add(card);
                    sendJson(response, callback, 200, list);
                }
                return 200;
            }
            case "/v1/completions", "/v1/chat/completions" -> {
                requireMethod(post, method, path);
                config.keys().check(request.getHeaders().get(HttpHeader.AUTHORIZATION));
                JsonNode body = Requests.parseBody(json, readBody(request));
                Requests.checkModel(body, model);
                boolean isChat = endpoint.equals("/v1/chat/completions");
                int[] prompt = isChat ? chat.prompt(body) : Requests.completionPrompt(body, model);
                int eot = model.tokenizer().eotId();
                int[] stopIds = isChat ? chat.stopIds() : eot >= 0 ? new int[] {eot} : new int[0];
                Requests.Generation g = Requests.generation(body, prompt, model, config.defaultMaxTokens(),
                        config.maxBatch(), stopIds);
                metrics.promptTokens(prompt.length);
                Shape shape = new Shape(isChat, (isChat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID()
                        .toString().replace("-", ""), System.currentTimeMillis() / 1000);
                return g.stream() ? stream(g, shape, response, callback) : complete(g, shape, response, callback);
            }
            default -> throw new ApiError(404, "invalid_request_error", "unknown_url", null,
                    "Unknown request URL: " + method + " " + path + ".");
        }
    }

    private static void requireMethod(boolean ok, String method, String path) {
        if (!ok) {
            throw new ApiError(405, "invalid_request_error", "method_not_supported", null,
                    "Method " + method + " is not allowed on " + path + ".");
        }
    }

    private byte[] readBody(Request request) {
        long declared = request.getLength();
        if (declared > config.maxBodyBytes()) {
            throw tooLarge(declared);
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] b = in.readNBytes(config.maxBodyBytes() + 1);
            if (b.length > config.maxBodyBytes()) {
                throw tooLarge(b.length);
            }
            return b;
        } catch (IOException e) {
            throw new ApiError(400, "invalid_request_error", "invalid_body", null,
                    "cannot read the request body: " + e.getMessage());
        }
    }

    private ApiError tooLarge(long n) {
        return new ApiError(413, "invalid_request_error", "request_too_large", null, "The request body ("
                + n + (n > config.maxBodyBytes() ? "+" : "") + " bytes) is larger than this server's limit of "
                + config.maxBodyBytes() + " bytes.");
    }

    // ------------------------------------------------------------------ non-streaming

    /** What one request's choices became. */
    private static final class Collected implements Scheduler.Listener {
        final StringBuilder[] text;
        final String[] finish;
        final int[] tokens;
        int open;
        final CompletableFuture<ApiError> done = new CompletableFuture<>();

        Collected(int n) {
            text = new StringBuilder[n];
            for (int i = 0; i < n; i++) {
                text[i] = new StringBuilder();
            }
            finish = new String[n];
            tokens = new int[n];
            open = n;
        }

        @Override
        public void onText(int choice, String piece) {
            text[choice].append(piece);
        }

        @Override
        public void onFinish(int choice, String finishReason, int completionTokens) {
            finish[choice] = finishReason;
            tokens[choice] = completionTokens;
            if (--open == 0) {
                done.complete(null);
            }
        }

        @Override
        public void onError(ApiError error) {
            done.complete(error);
        }
    }

    private int complete(Requests.Generation g, Shape shape, Response response, Callback callback) {
        Collected c = new Collected(g.params().n());
        Scheduler.Job job = scheduler.submit(g.prompt(), g.params(), c);
        ApiError err;
        try {
            err = c.done.get();
        } catch (InterruptedException e) {
            job.cancel();
            Thread.currentThread().interrupt();
            throw new ApiError(503, "server_error", "server_shutting_down", null, "interrupted");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        if (err != null) {
            throw err;
        }
        ObjectNode out = shape.head(json, model.id(), false);
        ArrayNode choices = out.putArray("choices");
        int completion = 0;
        for (int i = 0; i < c.text.length; i++) {
            choices.add(shape.choice(json, i, c.text[i].toString(), c.finish[i], false));
            completion += c.tokens[i];
        }
        out.set("usage", usage(g.prompt().length, completion));
        sendJson(response, callback, 200, out);
        return 200;
    }

    private ObjectNode usage(int prompt, int completion) {
        return json.createObjectNode().put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
    }

    // ------------------------------------------------------------------ streaming

    /** An event for the writer thread: text, the end of a choice, or an error. */
    private record Event(int choice, String text, String finish, int tokens, ApiError error) {}

    private int stream(Requests.Generation g, Shape shape, Response response, Callback callback) {
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        Scheduler.Job job = scheduler.submit(g.prompt(), g.params(), new Scheduler.Listener() {
            @Override
            public void onText(int choice, String text) {
                events.add(new Event(choice, text, null, 0, null));
            }

            @Override
            public void onFinish(int choice, String finishReason, int completionTokens) {
                events.add(new Event(choice, null, finishReason, completionTokens, null));
            }

            @Override
            public void onError(ApiError error) {
                events.add(new Event(-1, null, null, 0, error));
            }
        });
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        response.getHeaders().put("X-Accel-Buffering", "no");
        OutputStream out = Content.Sink.asOutputStream(response);
        int open = g.params().n();
        int completion = 0;
        try {
            if (shape.chat()) {
                for (int i = 0; i < open; i++) {
                    ObjectNode first = shape.head(json, model.id(), true);
                    ObjectNode ch = first.putArray("choices").addObject().put("index", i);
                    ch.putObject("delta").put("role", "assistant").put("content", "");
                    ch.putNull("finish_reason");
                    sse(out, first);
                }
            }
            while (open > 0) {
                Event e = events.take();
                if (e.error() != null) {
                    // OpenAI's clients raise on a data event that holds an "error" object
                    sse(out, e.error().toJson());
                    out.close();
                    callback.succeeded();
                    return e.error().status();
                }
                ObjectNode chunk = shape.head(json, model.id(), true);
                chunk.putArray("choices").add(shape.choice(json, e.choice(), e.text() != null ? e.text() : "",
                        e.finish(), true));
                sse(out, chunk);
                if (e.finish() != null) {
                    open--;
                    completion += e.tokens();
                }
            }
            if (g.includeUsage()) {
                ObjectNode last = shape.head(json, model.id(), true);
                last.putArray("choices");
                last.set("usage", usage(g.prompt().length, completion));
                sse(out, last);
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.close();
            callback.succeeded();
            return 200;
        } catch (IOException e) {
            job.cancel(); // the client went away: free its batch slots
            callback.failed(e);
            return 499;
        } catch (InterruptedException e) {
            job.cancel();
            Thread.currentThread().interrupt();
            callback.failed(e);
            return 503;
        }
    }

    private void sse(OutputStream out, JsonNode node) throws IOException {
        out.write(("data: " + json.writeValueAsString(node) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private void sendJson(Response response, Callback callback, int status, JsonNode body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        String s;
        try {
            s = json.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Content.Sink.write(response, true, s, callback);
    }

    /** The envelope of completions (text) and chat completions (message / delta). */
    private record Shape(boolean chat, String id, long created) {
        ObjectNode head(ObjectMapper json, String model, boolean chunk) {
            String object = chat ? (chunk ? "chat.completion.chunk" : "chat.completion") : "text_completion";
            return json.createObjectNode().put("id", id).put("object", object).put("created", created)
                    .put("model", model);
        }

        ObjectNode choice(ObjectMapper json, int index, String text, String finish, boolean chunk) {
            ObjectNode c = json.createObjectNode().put("index", index);
            if (chat) {
                ObjectNode m = c.putObject(chunk ? "delta" : "message");
                if (!chunk) {
                    m.put("role", "assistant");
                }
                if (!chunk || !text.isEmpty()) {
                    m.put("content", text);
                }
            } else {
                c.put("text", text);
                c.putNull("logprobs");
            }
            c.put("finish_reason", finish);
            return c;
        }
    }
}
