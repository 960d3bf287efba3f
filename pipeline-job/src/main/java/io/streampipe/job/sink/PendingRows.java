package io.streampipe.job.sink;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The changes of one batch, at most one per table row: when a row comes again, the version that
 * {@link TableWriter#replaces replaces} the other stays and the other is counted as superseded. An array statement
 * such as the upsert, like a multi-row {@code INSERT … ON CONFLICT DO UPDATE}, fails when it touches a row twice.
 */
final class PendingRows<T> {
    private final TableWriter<T> writer;
    private final Map<Object, T> byRow;
    /** Records not written because the batch has a newer (or later) version of their row. */
    private int superseded;

    PendingRows(TableWriter<T> writer) {
        this(writer, 16);
    }

    /** @param expectedRows the rows a batch holds when full: the map is sized for them and never grows */
    PendingRows(TableWriter<T> writer, int expectedRows) {
        this.writer = writer;
        this.byRow = new LinkedHashMap<>(Math.max(16, expectedRows + expectedRows / 3 + 1));
    }

    void add(T record) {
        Object key = writer.rowKey(record);
        T current = byRow.putIfAbsent(key, record);
        if (current != null) {
            superseded++; // one of the two versions of the row is not written: the older (or the earlier) one
            if (writer.replaces(record, current)) {
                byRow.put(key, record);
            }
        }
    }

    int size() {
        return byRow.size();
    }

    boolean isEmpty() {
        return byRow.isEmpty();
    }

    /** Adds records that were superseded before they reached this batch (in a {@link EpochRowsWriter}'s epoch). */
    void countSuperseded(int records) {
        superseded += records;
    }

    int superseded() {
        return superseded;
    }

    /** The rows in the writer's {@link TableWriter#rowOrder row order}, or in the order they first came. */
    List<T> inWriteOrder() {
        Comparator<Object> order = writer.rowOrder();
        if (order == null) {
            return new ArrayList<>(byRow.values());
        }
        @SuppressWarnings("unchecked")
        Map.Entry<Object, T>[] entries = byRow.entrySet().toArray(new Map.Entry[0]);
        Arrays.sort(entries, (a, b) -> order.compare(a.getKey(), b.getKey()));
        List<T> records = new ArrayList<>(entries.length);
        for (Map.Entry<Object, T> entry : entries) {
            records.add(entry.getValue());
        }
        return records;
    }
}
