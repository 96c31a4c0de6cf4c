package io.sparkgpt.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** Where the shared real test corpora are (../shared/data; surefire sets sparkgpt.shared.data). */
public final class TestData {
    private TestData() {}

    public static Path shared() {
        String p = System.getProperty("sparkgpt.shared.data");
        Path path = p != null ? Path.of(p) : Path.of("../../shared/data");
        if (!Files.isDirectory(path)) {
            path = Path.of("../shared/data");
        }
        Assumptions.assumeTrue(Files.isDirectory(path), "shared data not found at " + path);
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
