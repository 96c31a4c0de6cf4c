package io.sparkgpt.spark.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One {@link LocalCluster} (2 workers, 1 core and 1g each) shared by every test class of a JVM that asks for it: a
 * {@code LocalCluster} parameter of a {@code @BeforeAll}, {@code @Test} or constructor, with
 * {@code @ExtendWith(SharedLocalCluster.class)}. A standalone cluster's start and stop cost tens of seconds, the
 * same for each IT that only submits jobs to it; the cluster lives in the root context's store and is stopped
 * (and checked to leave no process) when that context closes, at the end of the run. A test that stops workers or
 * asserts on the cluster's own lifecycle keeps a {@link LocalCluster#start} of its own.
 */
public final class SharedLocalCluster implements ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(SharedLocalCluster.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == LocalCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NS).getOrComputeIfAbsent("cluster", key -> new Running(),
                Running.class).cluster;
    }

    /** The store closes it when the root context ends. */
    static final class Running implements ExtensionContext.Store.CloseableResource {
        final LocalCluster cluster;

        Running() {
            try {
                cluster = LocalCluster.start(Files.createTempDirectory("sparkgpt-shared-cluster"), 2, 1, "1g");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a folder for the shared local cluster", e);
            }
        }

        @Override
        public void close() {
            cluster.close();
            // only once it stopped cleanly: a failed stop leaves its logs for the reader
            try (Stream<Path> files = Files.walk(cluster.dir())) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete the shared cluster's folder " + cluster.dir(), e);
            }
        }
    }
}
