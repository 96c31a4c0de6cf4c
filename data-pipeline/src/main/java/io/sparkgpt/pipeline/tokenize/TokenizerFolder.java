package io.sparkgpt.pipeline.tokenize;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.tokenizer.BpeTokenizer;
import io.sparkgpt.tokenizer.TokenizerFiles;
import io.sparkgpt.tokenizer.TokenizerFormatException;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A tokenizer folder ({@code vocab.json}, {@code merges.txt}, {@code tokenizer.json}) on any Hadoop file system,
 * held as its file contents: small enough to broadcast, and rebuilt into a {@link BpeTokenizer} where it is used.
 */
public record TokenizerFolder(String dir, Map<String, String> files) implements Serializable {

    public TokenizerFolder {
        files = new LinkedHashMap<>(files);
    }

    /** Reads the folder; a missing vocab/merges file is a UsageException naming it. */
    public static TokenizerFolder read(Storage storage, String dir) {
        Map<String, String> files = new LinkedHashMap<>();
        for (String name : TokenizerFiles.ALL) {
            String path = Storage.child(dir, name);
            if (storage.exists(path)) {
                files.put(name, storage.readString(path));
            } else if (!name.equals(TokenizerFiles.TOKENIZER_JSON)) {
                throw new UsageException("tokenizer file " + path + " does not exist");
            }
        }
        TokenizerFolder folder = new TokenizerFolder(dir, files);
        try {
            folder.tokenizer();
        } catch (TokenizerFormatException e) {
            throw new UsageException("tokenizer " + dir + " is not valid: " + e.getMessage(), e);
        }
        return folder;
    }

    public static TokenizerFolder of(BpeTokenizer t, String dir) {
        return new TokenizerFolder(dir, TokenizerFiles.render(t));
    }

    public BpeTokenizer tokenizer() {
        return TokenizerFiles.fromStrings(files.get(TokenizerFiles.VOCAB), files.get(TokenizerFiles.MERGES),
                files.get(TokenizerFiles.TOKENIZER_JSON), dir);
    }

    /** Writes the files (each atomically) into {@code target}, then its {@code _SUCCESS}. */
    public void writeTo(Storage storage, String target) {
        for (Map.Entry<String, String> f : files.entrySet()) {
            storage.writeString(Storage.child(target, f.getKey()), f.getValue());
        }
        storage.markComplete(target);
    }
}
