package io.sparkgpt.trainer.tune;

import io.sparkgpt.common.io.Storage;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/** The driver's Hadoop settings (s3a endpoint, keys) as plain strings, so a trial's task writes where the driver would. */
public final class HadoopConf implements Serializable {
    private final Map<String, String> entries = new HashMap<>();

    public HadoopConf(Configuration conf) {
        conf.forEach(e -> entries.put(e.getKey(), e.getValue()));
    }

    public Storage storage() {
        Configuration c = new Configuration(false);
        entries.forEach(c::set);
        return new Storage(c);
    }
}
