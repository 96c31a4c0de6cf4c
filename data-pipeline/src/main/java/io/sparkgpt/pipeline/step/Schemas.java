package io.sparkgpt.pipeline.step;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The Parquet schemas the preprocess job writes (brief: data contracts). */
public final class Schemas {
    private Schemas() {}

    public static final StructType DOCUMENTS = new StructType(new StructField[] {
        DataTypes.createStructField("id", DataTypes.StringType, false),
        DataTypes.createStructField("url", DataTypes.StringType, true),
        DataTypes.createStructField("source", DataTypes.StringType, false),
        DataTypes.createStructField("fetch_time", DataTypes.TimestampType, true),
        DataTypes.createStructField("language", DataTypes.StringType, true),
        DataTypes.createStructField("language_score", DataTypes.DoubleType, true),
        DataTypes.createStructField("text", DataTypes.StringType, true),
        DataTypes.createStructField("signals",
                DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, false), true),
    });

    public static final String[] DOCUMENT_COLUMNS = DOCUMENTS.fieldNames();

    /** What the read+steps pass writes: every record once, as kept, excluded (step, reason) or error. */
    public static final StructType STAGING = DOCUMENTS
            .add("status", DataTypes.StringType, false)
            .add("step", DataTypes.StringType, true)
            .add("reason", DataTypes.StringType, true)
            .add("offset", DataTypes.LongType, true)
            .add("message", DataTypes.StringType, true);

    /** {@code errors}: one row per bad record or unreadable file. */
    public static final String[] ERROR_COLUMNS = {"source", "offset", "message"};

    public static final String KEPT = "kept";
    public static final String EXCLUDED = "excluded";
    public static final String ERROR = "error";
}
