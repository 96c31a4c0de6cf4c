package io.sparkgpt.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The real test corpora the repository carries (data/test: copies and subsets of third-party files, sources in
 * NOTICE; surefire sets sparkgpt.test.data). Missing data fails the test: it is never a reason to skip.
 */
public final class TestData {
    private TestData() {}

    /** data/test (the name is historical: the corpora used to be read from ../shared/data). */
    public static Path shared() {
        String p = System.getProperty("sparkgpt.test.data");
        Path path = p != null ? Path.of(p) : Path.of("../data/test");
        if (!Files.isDirectory(path.resolve("warc"))) {
            throw new IllegalStateException("test data not found at " + path.toAbsolutePath().normalize()
                    + " (sparkgpt.test.data=" + p + "): it is part of the repository, under data/test");
        }
        return path.toAbsolutePath().normalize();
    }

    public static Path warc(String name) {
        return shared().resolve("warc").resolve(name);
    }

    public static List<Path> allWarcFiles() throws java.io.IOException {
        try (Stream<Path> s = Files.list(shared().resolve("warc"))) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
