package io.sparkgpt.pipeline.lang;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A minimal reader of (ustar) tar streams for the test corpora: regular files only, names with prefix. */
public final class Tar {
    public record Entry(String name, byte[] bytes) {}

    private Tar() {}

    public static List<Entry> entries(InputStream in) throws IOException {
        List<Entry> out = new ArrayList<>();
        byte[] h = new byte[512];
        String longName = null;
        while (in.readNBytes(h, 0, 512) == 512) {
            if (h[0] == 0) {
                break;
            }
            String name = str(h, 0, 100);
            String prefix = str(h, 345, 155);
            long size = Long.parseLong(str(h, 124, 12).trim().isEmpty() ? "0" : str(h, 124, 12).trim(), 8);
            char type = (char) h[156];
            byte[] data = in.readNBytes((int) size);
            int pad = (int) ((512 - size % 512) % 512);
            in.readNBytes(pad);
            if (type == 'L') {
                longName = new String(data, StandardCharsets.UTF_8).replace("\0", "");
                continue;
            }
            if (type == '0' || type == 0) {
                String full = longName != null ? longName : prefix.isEmpty() ? name : prefix + "/" + name;
                out.add(new Entry(full, data));
            }
            longName = null;
        }
        return out;
    }

    private static String str(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }
}
