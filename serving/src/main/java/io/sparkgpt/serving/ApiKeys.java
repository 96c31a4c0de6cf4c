package io.sparkgpt.serving;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;

/**
 * The API keys a client may present as {@code Authorization: Bearer <key>}: one key per line of a file (blank lines
 * and {@code #} comments ignored). No file = no keys required. Compared in constant time.
 */
public record ApiKeys(List<byte[]> keys) {

    public static ApiKeys none() {
        return new ApiKeys(List.of());
    }

    public static ApiKeys load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the API key file " + file + ": " + e.getMessage(), e);
        }
        List<byte[]> keys = lines.stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .map(l -> l.getBytes(StandardCharsets.UTF_8)).toList();
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("the API key file " + file + " holds no key (one per line)");
        }
        return new ApiKeys(keys);
    }

    public boolean required() {
        return !keys.isEmpty();
    }

    /** Throws 401 unless keys are off or {@code authorization} is {@code Bearer <one of the keys>}. */
    public void check(String authorization) {
        if (!required()) {
            return;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ApiError(401, "invalid_request_error", "invalid_api_key", null,
                    "You didn't provide an API key: send it as 'Authorization: Bearer YOUR_KEY'.");
        }
        byte[] given = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (byte[] k : keys) {
            ok |= MessageDigest.isEqual(k, given);
        }
        if (!ok) {
            throw new ApiError(401, "invalid_request_error", "invalid_api_key", null, "Incorrect API key provided.");
        }
    }
}
