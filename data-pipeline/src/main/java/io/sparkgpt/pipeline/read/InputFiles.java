package io.sparkgpt.pipeline.read;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Turns the {@code --input} arguments into the list of files to read, on the driver, before any work starts:
 * files, folders (recursively; names starting with {@code _} or {@code .} skipped, as Hadoop does), globs, and
 * listing files in Common Crawl's style ({@code *.paths} or {@code *.paths.gz}: one path per line, relative lines
 * resolved against {@code listingPrefix}, e.g. {@code s3a://commoncrawl/}). Local paths and {@code s3a://} alike.
 * A path that matches nothing is a {@link UsageException}.
 */
public final class InputFiles {
    private InputFiles() {}

    public static List<String> expand(Storage storage, List<String> inputs, String listingPrefix) {
        Set<String> out = new LinkedHashSet<>();
        for (String in : inputs) {
            expandOne(storage, in, listingPrefix, out, true);
        }
        if (out.isEmpty()) {
            throw new UsageException("input " + String.join(" ", inputs) + " holds no files");
        }
        return new ArrayList<>(out);
    }

    private static void expandOne(Storage storage, String in, String listingPrefix, Set<String> out,
                                  boolean listingAllowed) {
        try {
            FileSystem fs = storage.fs(in);
            Path p = new Path(in);
            FileStatus[] matches = hasGlob(in) ? fs.globStatus(p) : null;
            if (matches == null) {
                if (!fs.exists(p)) {
                    throw new UsageException("input " + in + " does not exist");
                }
                matches = new FileStatus[] {fs.getFileStatus(p)};
            }
            if (matches.length == 0) {
                throw new UsageException("input " + in + " matches no files");
            }
            for (FileStatus st : matches) {
                if (st.isDirectory()) {
                    List<String> files = new ArrayList<>();
                    RemoteIterator<LocatedFileStatus> it = fs.listFiles(st.getPath(), true);
                    while (it.hasNext()) {
                        LocatedFileStatus f = it.next();
                        if (!hidden(st.getPath(), f.getPath())) {
                            files.add(f.getPath().toString());
                        }
                    }
                    files.sort(null);
                    out.addAll(files);
                } else if (listingAllowed && isListing(st.getPath().getName())) {
                    for (String line : readListing(fs, st.getPath())) {
                        String target = line.contains("://") || line.startsWith("/") ? line : listingPrefix + line;
                        // the listed files are checked by the tasks that read them (a crawl has 90,000): a missing
                        // one becomes an error item, not a failure of the whole job
                        out.add(target);
                    }
                } else {
                    out.add(st.getPath().toString());
                }
            }
        } catch (IOException e) {
            throw new UsageException("input " + in + " cannot be read: " + e.getMessage(), e);
        }
    }

    static boolean isListing(String name) {
        return name.endsWith(".paths") || name.endsWith(".paths.gz");
    }

    private static boolean hasGlob(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('{') >= 0;
    }

    private static boolean hidden(Path root, Path f) {
        for (Path p = f; p != null && !p.equals(root); p = p.getParent()) {
            String n = p.getName();
            if (n.startsWith("_") || n.startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static List<String> readListing(FileSystem fs, Path p) throws IOException {
        List<String> lines = new ArrayList<>();
        try (InputStream raw = fs.open(p);
             InputStream in = p.getName().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                line = line.trim();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    lines.add(line);
                }
            }
        }
        return lines;
    }
}
