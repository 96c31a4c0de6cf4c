package io.sparkgpt.serving;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An error answered in OpenAI's shape, {@code {"error": {"message", "type", "param", "code"}}}, with its HTTP
 * status. Thrown anywhere while a request is handled; the handler turns it into the response.
 */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;

    public ApiError(int status, String type, String code, String param, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
    }

    /** 400: a parameter is missing or has a bad value; {@code param} names it. */
    public static ApiError badParam(String param, String message) {
        return new ApiError(400, "invalid_request_error", "invalid_value", param, message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** The body: {@code {"error": {...}}}. */
    public ObjectNode toJson() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ObjectNode e = root.putObject("error");
        e.put("message", getMessage());
        e.put("type", type);
        e.put("param", param);
        e.put("code", code);
        return root;
    }
}
