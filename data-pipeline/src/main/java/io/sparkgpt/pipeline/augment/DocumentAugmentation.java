package io.sparkgpt.pipeline.augment;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.pipeline.step.CountersAccumulator;
import io.sparkgpt.tokenizer.augment.AugmentConfig;
import io.sparkgpt.tokenizer.augment.RowAugmenter;
import io.sparkgpt.tokenizer.augment.WordNetThesaurus;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Documents (the pipeline's Parquet: {@code id}, {@code text}, optionally {@code language} and any other columns)
 * to the originals followed by their variants, every column kept and the lineage columns added: an original has
 * {@code source_id} = its id, {@code augmentation} "original", {@code variant} 0; a variant has its own id
 * ({@link Lineage#id}), its source's id and the augmentation's name and number. A row without id or text is not
 * augmented: {@link #bad} names it and the counters count it ({@code rows.bad.missing_id}, ...).
 */
final class DocumentAugmentation {
    private final AugmentConfig config;
    private final String language;

    DocumentAugmentation(AugmentConfig config, String language) {
        this.config = config;
        this.language = language;
    }

    static void requireColumns(Dataset<Row> in, String input) {
        List<String> cols = Arrays.asList(in.columns());
        for (String c : List.of("id", "text")) {
            if (!cols.contains(c)) {
                throw new UsageException(input + ": no column '" + c + "' (documents need id and text; found "
                        + cols + ")");
            }
        }
        for (String c : List.of(Lineage.SOURCE_ID, Lineage.AUGMENTATION, Lineage.VARIANT)) {
            if (cols.contains(c)) {
                throw new UsageException(input + ": already has a '" + c + "' column (augmented output is not "
                        + "augmented again: augment its originals, augmentation = 'original')");
            }
        }
    }

    /** The rows that cannot be augmented: id and reason. */
    static Dataset<Row> bad(Dataset<Row> in) {
        Column noId = functions.col("id").isNull().or(functions.trim(functions.col("id")).equalTo(""));
        return in.filter(noId.or(functions.col("text").isNull()))
                .select(functions.col("id"), functions.when(noId, "missing_id").otherwise("missing_text")
                        .as("reason"));
    }

    Dataset<Row> apply(Dataset<Row> in, CountersAccumulator counters) {
        StructType schema = in.schema().add(Lineage.SOURCE_ID, DataTypes.StringType, false)
                .add(Lineage.AUGMENTATION, DataTypes.StringType, false)
                .add(Lineage.VARIANT, DataTypes.IntegerType, false);
        int idCol = in.schema().fieldIndex("id");
        int textCol = in.schema().fieldIndex("text");
        int langCol = Arrays.asList(in.columns()).indexOf("language");
        AugmentConfig cfg = config;
        String lang = language;
        MapPartitionsFunction<Row, Row> f = rows -> {
            RowAugmenter aug = new RowAugmenter(cfg, new WordNetThesaurus());
            EnglishCheck english = new EnglishCheck(lang);
            Map<String, Long> c = new TreeMap<>();
            List<Row> out = new ArrayList<>();
            while (rows.hasNext()) {
                Row r = rows.next();
                c.merge("rows.in", 1L, Long::sum);
                String id = r.getString(idCol);
                String text = r.getString(textCol);
                if (id == null || id.isBlank() || text == null) {
                    c.merge("rows.bad." + (id == null || id.isBlank() ? "missing_id" : "missing_text"), 1L, Long::sum);
                    continue;
                }
                out.add(with(r, idCol, id, textCol, text, id, Lineage.ORIGINAL, 0));
                boolean en = cfg.synonymRate() > 0
                        && english.english(langCol < 0 ? null : r.getString(langCol), text);
                for (RowAugmenter.Variant<String> v : aug.text(id, text, en, c)) {
                    out.add(with(r, idCol, Lineage.id(id, v.augmentation(), v.variant()), textCol, v.value(), id,
                            v.augmentation(), v.variant()));
                }
            }
            counters.add(c);
            return out.iterator();
        };
        return in.mapPartitions(f, Encoders.row(schema));
    }

    private static Row with(Row r, int idCol, String id, int textCol, String text, String sourceId,
                            String augmentation, int variant) {
        Object[] v = new Object[r.length() + 3];
        for (int i = 0; i < r.length(); i++) {
            v[i] = r.get(i);
        }
        v[idCol] = id;
        v[textCol] = text;
        v[r.length()] = sourceId;
        v[r.length() + 1] = augmentation;
        v[r.length() + 2] = variant;
        return RowFactory.create(v);
    }

}
