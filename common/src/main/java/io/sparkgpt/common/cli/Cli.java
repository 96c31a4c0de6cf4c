package io.sparkgpt.common.cli;

import java.io.PrintWriter;
import java.util.function.Consumer;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * The command-line convention of every job: picocli parses the options, {@code --help} lists them with their
 * defaults, and a bad option or a {@link UsageException} is one line on stderr and exit code 2. A command that
 * declares {@code --config} takes its options' defaults from that JSON file ({@link ConfigFile}).
 */
public final class Cli {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    private Cli() {}

    /** Parses {@code args} into {@code command}, runs it and returns the exit code (does not call System.exit). */
    public static int execute(Callable<Integer> command, String... args) {
        CommandLine cl = new CommandLine(command);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        setVersion(cl, version());
        Consumer<CommandLine.ParseResult> checkConfig;
        try {
            checkConfig = ConfigFile.installOn(cl, args);
        } catch (UsageException e) {
            cl.getErr().println(cl.getCommandName() + ": " + e.getMessage());
            cl.getErr().flush();
            return EXIT_USAGE;
        }
        cl.setExecutionStrategy(parsed -> {
            checkConfig.accept(parsed);
            return new CommandLine.RunLast().execute(parsed);
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println(ex.getCommandLine().getCommandName() + ": " + ex.getMessage()
                    + " (see --help)");
            err.flush();
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            Throwable usage = findUsage(ex);
            if (usage != null) {
                c.getErr().println(c.getCommandName() + ": " + usage.getMessage());
                c.getErr().flush();
                return EXIT_USAGE;
            }
            throw ex;
        });
        return cl.execute(args);
    }

    /** {@link #execute} then {@link System#exit}: for {@code main} methods only. */
    public static void main(Callable<Integer> command, String... args) {
        int code = execute(command, args);
        System.exit(code);
    }

    /** "sparkgpt VERSION" (the Maven project version, filled in at build time). */
    public static String version() {
        java.util.Properties p = new java.util.Properties();
        try (java.io.InputStream in = Cli.class.getResourceAsStream("/io/sparkgpt/common/version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("version.properties cannot be read", e);
        }
        return "sparkgpt " + p.getProperty("version", "(unknown version)");
    }

    /** -V/--version (picocli's standard option) prints {@code version} for the command and its subcommands. */
    private static void setVersion(CommandLine cl, String version) {
        if (cl.getCommandSpec().version().length == 0) {
            cl.getCommandSpec().version(version);
        }
        cl.getSubcommands().values().forEach(sub -> setVersion(sub, version));
    }

    private static Throwable findUsage(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof UsageException) {
                return c;
            }
        }
        return null;
    }
}
