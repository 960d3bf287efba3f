package io.streampipe.job.enrich;

import java.util.List;
import java.util.Map;

/**
 * One complete read of a dimension: its rows by key, never changed after the read. A refresh builds a new one and the
 * join replaces its reference in one step, so a lookup sees either the old copy or the new one, never a mix.
 *
 * @param rows     the added columns' values, by the key's values (in key order)
 * @param loadedAt when the read finished, epoch millis
 */
public record DimensionTable(Map<List<Object>, Object[]> rows, long loadedAt) {

    /** The added columns for a key, or null when the dimension has no row for it. */
    public Object[] lookup(List<Object> key) {
        return rows.get(key);
    }

    public int size() {
        return rows.size();
    }
}
