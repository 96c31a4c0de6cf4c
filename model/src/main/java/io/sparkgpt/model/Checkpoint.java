package io.sparkgpt.model;

import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Everything needed to resume training exactly: model config and parameters, AdamW moments and step counter, the
 * dropout RNG, the training config, the optimizer step reached, the data position(s) and the early-stopping
 * bookkeeping. Written atomically ({@link Storage#writeAtomically}: temporary name, then rename) to a local path or
 * {@code s3a://}. The file is {@code magic, version, header JSON, float arrays, CRC32}: a truncated or corrupt file
 * and a checkpoint of another config are refused with an error naming the file and the field.
 *
 * @param config                  model shape
 * @param train                   training config the run used (may be null for a model-only export)
 * @param step                    optimizer steps completed (the next step to run)
 * @param params                  flat parameters ({@link GPT#params()})
 * @param optimizerState          AdamW moments m then v ({@link GPT#optimizerState()}), or null (model only)
 * @param optimizerSteps          AdamW bias-correction counter ({@link GPT#optimizerSteps()})
 * @param rngState                dropout RNG ({@link GPT#rngState()})
 * @param data                    data position of each stream (one per worker for a distributed run)
 * @param bestValLoss             best validation loss so far ({@link Double#MAX_VALUE} = none yet)
 * @param evalsWithoutImprovement early-stopping counter
 * @param meta                    free-form strings (tokenizer path, data paths, ...)
 */
public record Checkpoint(GPTConfig config, TrainConfig train, long step, float[] params, float[] optimizerState,
                         long optimizerSteps, long rngState, List<TokenWindows.State> data, double bestValLoss,
                         int evalsWithoutImprovement, Map<String, String> meta) {

    private static final long MAGIC = 0x53504B4750544350L; // "SPKGPTCP"
    private static final int VERSION = 1;

    public Checkpoint {
        data = data == null ? List.of() : List.copyOf(data);
        meta = meta == null ? Map.of() : Map.copyOf(meta);
    }

    /** Header fields (everything but the float arrays), as JSON. */
    record Header(GPTConfig config, TrainConfig train, long step, long optimizerSteps, long rngState,
                  List<TokenWindows.State> data, double bestValLoss, int evalsWithoutImprovement,
                  Map<String, String> meta, long numParams, boolean hasOptimizer) {}

    /** A snapshot of {@code gpt}'s parameters, optimizer and RNG plus the loop's state. */
    public static Checkpoint of(GPT gpt, TrainConfig train, long step, List<TokenWindows.State> data,
                                double bestValLoss, int evalsWithoutImprovement, Map<String, String> meta) {
        return new Checkpoint(gpt.config(), train, step, gpt.params(), gpt.optimizerState(), gpt.optimizerSteps(),
                gpt.rngState(), data, bestValLoss, evalsWithoutImprovement, meta);
    }

    /** A new model holding this checkpoint's parameters, optimizer state and RNG. */
    public GPT toModel() {
        GPT g = GPT.create(config, 0);
        restoreInto(g, "checkpoint");
        return g;
    }

    /**
     * Loads parameters, optimizer state and RNG into {@code gpt}; its config must equal this one (the error names
     * the first differing field).
     */
    public void restoreInto(GPT gpt, String name) {
        requireSameConfig(config, gpt.config(), name);
        gpt.setParams(params);
        if (optimizerState != null) {
            gpt.setOptimizerState(optimizerState);
        }
        gpt.setOptimizerSteps(optimizerSteps);
        gpt.setRngState(rngState);
    }

    /** Throws naming the first field where {@code found} (in {@code name}) differs from {@code expected}. */
    public static void requireSameConfig(GPTConfig found, GPTConfig expected, String name) {
        Object[][] f = {
            {"vocabSize", found.vocabSize(), expected.vocabSize()},
            {"blockSize", found.blockSize(), expected.blockSize()},
            {"nLayer", found.nLayer(), expected.nLayer()},
            {"nHead", found.nHead(), expected.nHead()},
            {"nEmbd", found.nEmbd(), expected.nEmbd()},
            {"bias", found.bias(), expected.bias()},
            {"tiedEmbeddings", found.tiedEmbeddings(), expected.tiedEmbeddings()},
        };
        for (Object[] row : f) {
            if (!row[1].equals(row[2])) {
                throw new IllegalArgumentException(name + " was written for another model: GPTConfig." + row[0]
                        + "=" + row[1] + " there, " + row[2] + " here");
            }
        }
    }

    public byte[] toBytes() {
        Header h = new Header(config, train, step, optimizerSteps, rngState, data, bestValLoss,
                evalsWithoutImprovement, meta, params.length, optimizerState != null);
        byte[] json = Json.writeLine(h).getBytes(StandardCharsets.UTF_8);
        long floats = params.length + (optimizerState == null ? 0 : optimizerState.length);
        long size = 8 + 4 + 4 + json.length + floats * 4 + 8;
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("checkpoint of " + size + " bytes is too large for one array");
        }
        ByteBuffer bb = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(MAGIC).putInt(VERSION).putInt(json.length).put(json);
        bb.asFloatBuffer().put(params);
        bb.position(bb.position() + params.length * 4);
        if (optimizerState != null) {
            bb.asFloatBuffer().put(optimizerState);
            bb.position(bb.position() + optimizerState.length * 4);
        }
        CRC32 crc = new CRC32();
        crc.update(bb.array(), 0, bb.position());
        bb.putLong(crc.getValue());
        return bb.array();
    }

    /** Parses a checkpoint; {@code name} (the file) appears in every error. */
    public static Checkpoint fromBytes(byte[] bytes, String name) {
        if (bytes.length < 16) {
            throw new IllegalArgumentException("checkpoint " + name + " is truncated: " + bytes.length + " bytes");
        }
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bb.getLong() != MAGIC) {
            throw new IllegalArgumentException(name + " is not a sparkgpt checkpoint (bad magic number)");
        }
        int version = bb.getInt();
        if (version != VERSION) {
            throw new IllegalArgumentException("checkpoint " + name + " has format version " + version
                    + ", this build reads " + VERSION);
        }
        int jsonLen = bb.getInt();
        if (jsonLen < 0 || jsonLen > bytes.length - 16) {
            throw new IllegalArgumentException("checkpoint " + name + " is truncated: header of " + jsonLen
                    + " bytes, file has " + bytes.length);
        }
        Header h;
        try {
            h = Json.mapper().readValue(bytes, 16, jsonLen, Header.class);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("checkpoint " + name + " has an unreadable header: " + e.getMessage(),
                    e);
        }
        long floats = h.numParams() * (h.hasOptimizer() ? 3 : 1);
        long expected = 16L + jsonLen + floats * 4 + 8;
        if (bytes.length != expected) {
            throw new IllegalArgumentException("checkpoint " + name + " is truncated or padded: " + bytes.length
                    + " bytes, its header promises " + expected);
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 8);
        bb.position(bytes.length - 8);
        if (bb.getLong() != crc.getValue()) {
            throw new IllegalArgumentException("checkpoint " + name + " is corrupt: CRC32 mismatch");
        }
        bb.position(16 + jsonLen);
        float[] params = new float[(int) h.numParams()];
        bb.asFloatBuffer().get(params);
        bb.position(bb.position() + params.length * 4);
        float[] opt = null;
        if (h.hasOptimizer()) {
            opt = new float[2 * params.length];
            bb.asFloatBuffer().get(opt);
        }
        long need = GPT.countParams(h.config());
        if (need != params.length) {
            throw new IllegalArgumentException("checkpoint " + name + " holds " + params.length
                    + " parameters, its GPTConfig needs " + need);
        }
        return new Checkpoint(h.config(), h.train(), h.step(), params, opt, h.optimizerSteps(), h.rngState(),
                h.data(), h.bestValLoss(), h.evalsWithoutImprovement(), h.meta());
    }

    /** Writes atomically to {@code path} (local or s3a://). */
    public void save(Storage storage, String path) {
        storage.writeAtomically(path, toBytes());
    }

    public static Checkpoint load(Storage storage, String path) {
        byte[] bytes;
        try {
            bytes = storage.readAll(path);
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException("cannot read checkpoint " + path + ": " + e.getMessage(), e);
        }
        return fromBytes(bytes, path);
    }

    /** {@link #load} and check that it was written for {@code expected}. */
    public static Checkpoint load(Storage storage, String path, GPTConfig expected) {
        Checkpoint c = load(storage, path);
        requireSameConfig(c.config(), expected, "checkpoint " + path);
        return c;
    }
}
