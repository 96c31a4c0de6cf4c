package io.sparkgpt.pipeline.augment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkgpt.pipeline.step.CountersAccumulator;
import io.sparkgpt.tokenizer.augment.AugmentConfig;
import io.sparkgpt.tokenizer.augment.RowAugmenter;
import io.sparkgpt.tokenizer.augment.WordNetThesaurus;
import io.sparkgpt.tokenizer.chat.ChatExample;
import io.sparkgpt.tokenizer.chat.ChatJsonl;
import io.sparkgpt.tokenizer.chat.ChatMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Fine-tuning examples (the chat JSONL formats {@link ChatJsonl} reads) to the originals followed by their variants.
 * Only user turns change; system and assistant turns (the answers) are kept as they are. A record's
 * {@code source_id} is {@code <file name>:<line>} (stable whatever the partitioning); a variant's id is
 * {@link Lineage#id}. Each row's {@code record} is the example as one JSONL line ({@code messages}, or
 * {@code prompt}/{@code completion} lists where only the completion is a target), lineage fields included, so the
 * output reads back with {@link ChatJsonl} as it was. A bad line (not JSON, a missing field, ...) is named in
 * {@link #bad} ({@code file:line}, reason, detail) and not augmented.
 */
final class ChatAugmentation {
    static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.StringType, false)
            .add(Lineage.SOURCE_ID, DataTypes.StringType, false)
            .add(Lineage.AUGMENTATION, DataTypes.StringType, false)
            .add(Lineage.VARIANT, DataTypes.IntegerType, false)
            .add("record", DataTypes.StringType, false)
            // input order (file, line) for a stable JSONL file; not written to Parquet
            .add("seq", DataTypes.LongType, false);
    static final StructType BAD = new StructType()
            .add("origin", DataTypes.StringType, false)
            .add("reason", DataTypes.StringType, false)
            .add("detail", DataTypes.StringType, false);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final AugmentConfig config;
    private final String language;

    ChatAugmentation(AugmentConfig config, String language) {
        this.config = config;
        this.language = language;
    }

    /** Every non-blank line of the files as (seq, origin, line); seq orders files then lines. */
    static JavaRDD<Row> lines(SparkSession spark, List<String> files) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaRDD<Row> all = null;
        for (int f = 0; f < files.size(); f++) {
            String file = files.get(f);
            String name = new Path(file).getName();
            long base = (long) f << 40;
            JavaRDD<Row> rows = jsc.textFile(file).zipWithIndex()
                    .filter(t -> !t._1().isBlank())
                    .map(t -> RowFactory.create(base + t._2(), name + ":" + (t._2() + 1), t._1()));
            all = all == null ? rows : all.union(rows);
        }
        return all;
    }

    static Dataset<Row> bad(SparkSession spark, JavaRDD<Row> lines) {
        JavaRDD<Row> bad = lines.flatMap(r -> {
            String origin = r.getString(1);
            try {
                ChatJsonl.parseExample(r.getString(2), origin);
                return List.<Row>of().iterator();
            } catch (IllegalArgumentException e) {
                // "origin: reason: detail"
                String rest = e.getMessage().substring(origin.length() + 2);
                int colon = rest.indexOf(": ");
                return List.of(RowFactory.create(origin, colon < 0 ? rest : rest.substring(0, colon),
                        colon < 0 ? "" : rest.substring(colon + 2))).iterator();
            }
        });
        return spark.createDataFrame(bad, BAD);
    }

    Dataset<Row> apply(SparkSession spark, JavaRDD<Row> lines, CountersAccumulator counters) {
        AugmentConfig cfg = config;
        String lang = language;
        JavaRDD<Row> out = lines.mapPartitions(rows -> {
            RowAugmenter aug = new RowAugmenter(cfg, new WordNetThesaurus());
            EnglishCheck english = new EnglishCheck(lang);
            Map<String, Long> c = new TreeMap<>();
            List<Row> res = new ArrayList<>();
            while (rows.hasNext()) {
                Row r = rows.next();
                long seq = r.getLong(0);
                String origin = r.getString(1);
                ChatExample ex;
                try {
                    ex = ChatJsonl.parseExample(r.getString(2), origin);
                } catch (IllegalArgumentException e) {
                    continue; // named by bad()
                }
                c.merge("rows.in", 1L, Long::sum);
                res.add(row(origin, origin, Lineage.ORIGINAL, 0, ex, seq));
                boolean en = cfg.synonymRate() > 0 && english.english(null, userText(ex));
                for (RowAugmenter.Variant<ChatExample> v : aug.chat(origin, ex, en, c)) {
                    res.add(row(Lineage.id(origin, v.augmentation(), v.variant()), origin, v.augmentation(),
                            v.variant(), v.value(), seq));
                }
            }
            counters.add(c);
            return res.iterator();
        });
        return spark.createDataFrame(out, SCHEMA);
    }

    private static String userText(ChatExample ex) {
        return ex.messages().stream().filter(m -> ChatMessage.USER.equals(m.role())).map(ChatMessage::content)
                .collect(Collectors.joining("\n"));
    }

    private static Row row(String id, String sourceId, String augmentation, int variant, ChatExample ex, long seq) {
        ObjectNode o = MAPPER.createObjectNode();
        if (ex.firstTarget() == 0) {
            o.set("messages", messages(ex.messages()));
        } else {
            o.set("prompt", messages(ex.prompt()));
            o.set("completion", messages(ex.messages().subList(ex.firstTarget(), ex.messages().size())));
        }
        o.put("id", id);
        o.put(Lineage.SOURCE_ID, sourceId);
        o.put(Lineage.AUGMENTATION, augmentation);
        o.put(Lineage.VARIANT, variant);
        return RowFactory.create(id, sourceId, augmentation, variant, o.toString(), seq);
    }

    private static ArrayNode messages(List<ChatMessage> msgs) {
        ArrayNode a = MAPPER.createArrayNode();
        for (ChatMessage m : msgs) {
            a.addObject().put("role", m.role()).put("content", m.content());
        }
        return a;
    }
}
