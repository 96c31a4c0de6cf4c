package io.sparkgpt.common.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.common.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code --config <file.json>}: a JSON object whose keys are long option names without the leading dashes
 * ({@code {"lr": 0.003, "batch-size": 16, "warmup": 10}}) and whose values become those options' defaults, so that
 * flags on the command line still win. This is the file a hyper-parameter search writes as its best configuration.
 * Values are numbers, strings, booleans, or arrays (joined with commas, for split options); a key that names no
 * option of the command run is an error naming the file and the key.
 */
public final class ConfigFile implements CommandLine.IDefaultValueProvider {
    public static final String OPTION = "--config";

    private final String file;
    private final Map<String, String> values;

    ConfigFile(String file, Map<String, String> values) {
        this.file = file;
        this.values = Collections.unmodifiableMap(values);
    }

    /** The file named by {@code --config <file>} or {@code --config=<file>} in {@code args}, or null when none. */
    public static ConfigFile find(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(OPTION) && i + 1 < args.length) {
                return read(args[i + 1]);
            } else if (args[i].startsWith(OPTION + "=")) {
                return read(args[i].substring(OPTION.length() + 1));
            } else if (args[i].equals("--")) {
                break;
            }
        }
        return null;
    }

    /**
     * Installs the file that {@code args} name with {@code --config} (if any) on {@code cl}, before it parses them:
     * its values become the options' defaults, so flags still win. Returns the check of what was then parsed: every
     * key must name an option of the command that runs (the last of the parsed chain, so a subcommand reads its own
     * keys); without a file it checks nothing. An unreadable or malformed file is a {@link UsageException}.
     */
    public static Consumer<CommandLine.ParseResult> installOn(CommandLine cl, String[] args) {
        ConfigFile config = find(args);
        if (config == null) {
            return parsed -> { };
        }
        cl.setDefaultValueProvider(config);
        return parsed -> {
            List<CommandLine> chain = parsed.asCommandLineList();
            config.check(chain.get(chain.size() - 1).getCommandSpec());
        };
    }

    /** Reads a config file; an unreadable file, bad JSON, or a value that is an object or null is a usage error. */
    public static ConfigFile read(String file) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(Files.readString(Path.of(file)));
        } catch (IOException e) {
            throw new UsageException("config file " + file + " cannot be read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new UsageException("config file " + file + " must hold a JSON object of option names and values");
        }
        Map<String, String> values = new LinkedHashMap<>();
        root.fields().forEachRemaining(f -> values.put(f.getKey(), text(file, f.getKey(), f.getValue())));
        return new ConfigFile(file, values);
    }

    private static String text(String file, String key, JsonNode v) {
        if (v.isArray()) {
            List<String> parts = new ArrayList<>();
            v.forEach(e -> parts.add(text(file, key, e)));
            return String.join(",", parts);
        }
        if (v.isValueNode() && !v.isNull()) {
            return v.asText();
        }
        throw new UsageException("config file " + file + ": key '" + key + "' must be a number, string, boolean or "
                + "array, not " + v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
    }

    /** The option names (without dashes) this file sets, with their values as text. */
    public Map<String, String> values() {
        return values;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (arg instanceof OptionSpec o) {
            for (String name : o.names()) {
                String v = values.get(bare(name));
                if (v != null) {
                    return v;
                }
            }
        }
        return null;
    }

    /** Every key must name an option of {@code spec} (the command being run), and not {@code config} itself. */
    public void check(CommandSpec spec) {
        for (String key : values.keySet()) {
            boolean known = !key.equals(bare(OPTION)) && spec.options().stream()
                    .anyMatch(o -> java.util.Arrays.stream(o.names()).anyMatch(n -> bare(n).equals(key)));
            if (!known) {
                throw new CommandLine.ParameterException(spec.commandLine(), "config file " + file + ": unknown key '"
                        + key + "' (keys are the long option names without dashes, e.g. \"lr\")");
            }
        }
    }

    private static String bare(String name) {
        return name.replaceFirst("^-+", "");
    }
}
