package io.sparkgpt.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The package arrows of data-pipeline, read from the sources' references (imports and qualified names):
 * <ul>
 *   <li>{@code step} (the contract: Document, DocumentStep, DatasetStep, Counters, Recipe, Schemas) depends on no
 *       other pipeline package;</li>
 *   <li>the jobs' packages ({@code preprocess}) are imported by nobody: step packages (read, extract, lang, quality,
 *       pii, dedup) import the contract, the job imports the steps;</li>
 *   <li>the pipeline knows nothing of DL4J/ND4J (module rule: only the model and trainer do).</li>
 * </ul>
 */
class PackageArrowsTest {
    private static final String ROOT = "io.sparkgpt.pipeline.";
    private static final Pattern REFERENCE = Pattern.compile("\\b(io\\.sparkgpt\\.pipeline\\.[a-z]+|org\\.nd4j|"
            + "org\\.deeplearning4j)\\b");

    @Test
    void arrowsPointOneWay() {
        Path sources = Path.of("src/main/java/io/sparkgpt/pipeline");
        List<String> wrong = violations(sources);
        assertEquals(List.of(), wrong);
        assertTrue(javaFiles(sources.resolve("step")).size() >= 6, "the contract's sources were found");
    }

    @Test
    void aWrongArrowIsReported(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("quality"));
        Files.createDirectories(dir.resolve("step"));
        Files.writeString(dir.resolve("quality/Bad.java"), "package io.sparkgpt.pipeline.quality;\n"
                + "import io.sparkgpt.pipeline.preprocess.PreprocessJob;\nclass Bad {}\n");
        Files.writeString(dir.resolve("step/AlsoBad.java"), "package io.sparkgpt.pipeline.step;\n"
                + "/* io.sparkgpt.pipeline.quality in a comment is no arrow */\n"
                + "class AlsoBad { io.sparkgpt.pipeline.quality.Words w; org.nd4j.linalg.api.ndarray.INDArray a; }\n");
        Files.writeString(dir.resolve("quality/Fine.java"), "package io.sparkgpt.pipeline.quality;\n"
                + "import io.sparkgpt.pipeline.step.Document; // io.sparkgpt.pipeline.preprocess\nclass Fine {}\n");
        List<String> wrong = violations(dir);
        assertEquals(List.of("quality/Bad.java -> io.sparkgpt.pipeline.preprocess (jobs are imported by nobody)",
                "step/AlsoBad.java -> io.sparkgpt.pipeline.quality (the step contract imports no pipeline package)",
                "step/AlsoBad.java -> org.nd4j (the pipeline knows nothing of DL4J)"), wrong);
    }

    /** Each wrong reference as {@code file -> target (rule)}, files in path order. */
    static List<String> violations(Path sources) {
        List<String> wrong = new ArrayList<>();
        for (Path f : javaFiles(sources)) {
            String from = sources.relativize(f).getName(0).toString();
            Matcher m = REFERENCE.matcher(code(f));
            java.util.Set<String> seen = new java.util.LinkedHashSet<>();
            while (m.find()) {
                seen.add(m.group(1));
            }
            for (String target : seen) {
                String rule = rule(from, target);
                if (rule != null) {
                    wrong.add(sources.relativize(f).toString().replace('\\', '/') + " -> " + target + " (" + rule
                            + ")");
                }
            }
        }
        return wrong;
    }

    /** Why {@code from} must not reference {@code target}, or null when it may. */
    private static String rule(String from, String target) {
        if (target.startsWith("org.")) {
            return "the pipeline knows nothing of DL4J";
        }
        String to = target.substring(ROOT.length());
        if (to.equals(from)) {
            return null;
        }
        if (to.equals("preprocess")) {
            return "jobs are imported by nobody";
        }
        if (from.equals("step")) {
            return "the step contract imports no pipeline package";
        }
        return null;
    }

    /** The file's text without comments (a comment naming a package is no dependency). */
    private static String code(Path f) {
        try {
            return Files.readString(f).replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> javaFiles(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
