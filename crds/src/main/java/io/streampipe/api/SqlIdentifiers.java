package io.streampipe.api;

import io.streampipe.api.v1alpha1.Patterns;

import java.util.regex.Pattern;

/**
 * Table and column names come from the spec. They are checked against a strict pattern and always quoted, so no spec
 * value is ever spliced raw into SQL.
 */
public final class SqlIdentifiers {
    private static final Pattern IDENTIFIER = Pattern.compile(Patterns.IDENTIFIER);
    private static final Pattern TABLE = Pattern.compile(Patterns.TABLE);

    private SqlIdentifiers() {
    }

    /** {@code "name"} for a valid identifier; throws naming the field otherwise. */
    public static String quote(String field, String identifier) {
        if (identifier == null || !IDENTIFIER.matcher(identifier).matches()) {
            throw new IllegalArgumentException(field + ": '" + identifier
                    + "' is not an allowed SQL identifier (lower case letters, digits and _, starting with a letter or _, at most 63)");
        }
        return '"' + identifier + '"';
    }

    /** {@code "schema"."table"} or {@code "table"}; throws naming the field when invalid. */
    public static String quoteTable(String field, String table) {
        if (table == null || !TABLE.matcher(table).matches()) {
            throw new IllegalArgumentException(field + ": '" + table
                    + "' is not an allowed table name (identifier or schema.identifier, lower case letters, digits and _)");
        }
        int dot = table.indexOf('.');
        return dot < 0 ? quote(field, table) : quote(field, table.substring(0, dot)) + "." + quote(field, table.substring(dot + 1));
    }
}
