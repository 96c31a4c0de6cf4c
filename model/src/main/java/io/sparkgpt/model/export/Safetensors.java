package io.sparkgpt.model.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkgpt.common.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON naming each
 * tensor's dtype, shape and byte range, then the raw little-endian data. We write float32 ("F32"); we read F32,
 * F16 and BF16 (as floats). Every inconsistency of a file read is an error naming the file and the tensor.
 */
public final class Safetensors {
    /** A tensor: its shape and its values in row-major order. */
    public record Tensor(long[] shape, float[] data) {
        public Tensor {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            if (n != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, not "
                        + data.length);
            }
        }
    }

    private static final long MAX_HEADER = 100L << 20;

    private Safetensors() {}

    /** Writes {@code tensors} (in this order) and {@code metadata} to {@code file}, atomically (temp + rename). */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        ObjectNode header = Json.mapper().createObjectNode();
        ObjectNode meta = header.putObject("__metadata__");
        metadata.forEach(meta::put);
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            var shape = t.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            long end = offset + 4L * e.getValue().data().length;
            t.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // the data starts 8-byte aligned (spaces are valid JSON padding)
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, head);
                ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                for (Tensor t : tensors.values()) {
                    for (float f : t.data()) {
                        if (buf.remaining() < 4) {
                            buf.flip();
                            writeFully(ch, buf);
                            buf.clear();
                        }
                        buf.putFloat(f);
                    }
                }
                buf.flip();
                writeFully(ch, buf);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** The metadata (the header's {@code __metadata__}) of a safetensors file. */
    public static Map<String, String> metadata(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode m = header(file).header.get("__metadata__");
        if (m != null) {
            m.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        }
        return out;
    }

    /** Every tensor of {@code file}, in the header's order, as floats. */
    public static Map<String, Tensor> read(Path file) {
        Header h = header(file);
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long dataStart = 8 + h.length;
            long dataLen = ch.size() - dataStart;
            for (Iterator<Map.Entry<String, JsonNode>> it = h.header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                String name = e.getKey();
                JsonNode t = e.getValue();
                String where = file + ": tensor " + name;
                String dtype = t.path("dtype").asText("");
                int width = switch (dtype) {
                    case "F32" -> 4;
                    case "F16", "BF16" -> 2;
                    default -> throw new IllegalArgumentException(where + " has dtype '" + dtype
                            + "' (only F32, F16 and BF16 hold GPT weights)");
                };
                JsonNode shapeNode = t.get("shape");
                JsonNode offs = t.get("data_offsets");
                if (shapeNode == null || !shapeNode.isArray() || offs == null || offs.size() != 2) {
                    throw new IllegalArgumentException(where + " lacks shape or data_offsets");
                }
                long[] shape = new long[shapeNode.size()];
                long n = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shapeNode.get(i).asLong(-1);
                    if (shape[i] < 0) {
                        throw new IllegalArgumentException(where + " has a bad shape " + shapeNode);
                    }
                    n *= shape[i];
                }
                long begin = offs.get(0).asLong(-1);
                long end = offs.get(1).asLong(-1);
                if (begin < 0 || end < begin || end > dataLen || end - begin != n * width) {
                    throw new IllegalArgumentException(where + ": data_offsets " + offs + " do not hold shape "
                            + shapeNode + " of " + dtype + " within the " + dataLen + " data bytes");
                }
                if (n > Integer.MAX_VALUE - 8) {
                    throw new IllegalArgumentException(where + " is too large (" + n + " values)");
                }
                ByteBuffer b = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
                long pos = dataStart + begin;
                while (b.hasRemaining()) {
                    int r = ch.read(b, pos);
                    if (r < 0) {
                        throw new IllegalArgumentException(where + ": file truncated");
                    }
                    pos += r;
                }
                b.flip();
                float[] data = new float[(int) n];
                for (int i = 0; i < data.length; i++) {
                    data[i] = switch (dtype) {
                        case "F32" -> b.getFloat();
                        case "BF16" -> Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
                        default -> halfToFloat(b.getShort());
                    };
                }
                out.put(name, new Tensor(shape, data));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return out;
    }

    /** IEEE 754 binary16 to float (Float.float16ToFloat is Java 20+). */
    static float halfToFloat(short h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13)); // inf, NaN
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f; // subnormal (or zero)
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private record Header(long length, JsonNode header) {}

    private static Header header(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            if (ch.read(len, 0) != 8) {
                throw new IllegalArgumentException(file + " is not a safetensors file (shorter than 8 bytes)");
            }
            long n = len.flip().getLong();
            if (n <= 1 || n > MAX_HEADER || 8 + n > ch.size()) {
                throw new IllegalArgumentException(file + " is not a safetensors file (header length " + n
                        + " in a file of " + ch.size() + " bytes)");
            }
            ByteBuffer json = ByteBuffer.allocate((int) n);
            ch.read(json, 8);
            JsonNode h;
            try {
                h = Json.mapper().readTree(new String(json.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalArgumentException(file + ": the safetensors header is not JSON: " + e.getMessage());
            }
            if (h == null || !h.isObject()) {
                throw new IllegalArgumentException(file + ": the safetensors header is not a JSON object");
            }
            return new Header(n, h);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
