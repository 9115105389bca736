package dev.lakehouse.validatord.roster;

import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * The roster's Parquet schema (DESIGN.md §3): one row per worker, every column
 * required. Strings are UTF-8; {@code skills} is a comma-separated list;
 * {@code status} is {@code active} or {@code inactive}.
 */
public final class RosterFile {
    public static final String WORKER_ID = "worker_id";

    public static final MessageType SCHEMA = Types.buildMessage()
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(WORKER_ID)
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("first_name")
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("last_name")
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("role")
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("city")
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("state")
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("zip")
            .required(PrimitiveTypeName.DOUBLE).named("lat")
            .required(PrimitiveTypeName.DOUBLE).named("lon")
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("phone")
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("email")
            .required(PrimitiveTypeName.DOUBLE).named("hourly_rate")
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("skills")
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("status")
            .named("worker");

    private RosterFile() {
    }

    /** {@code W} and six digits, e.g. W000123. */
    public static boolean isWorkerId(String id) {
        if (id == null || id.length() != 7 || id.charAt(0) != 'W') {
            return false;
        }
        for (int i = 1; i < 7; i++) {
            if (id.charAt(i) < '0' || id.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** The number of a well-formed worker id. */
    public static int number(String id) {
        return Integer.parseInt(id, 1, 7, 10);
    }

    public static String workerId(int number) {
        return String.format("W%06d", number);
    }
}
