package io.streampipe.job.sink;

import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The pending rows of a checkpoint, as its state keeps them. Version 1: the writer's {@link TableWriter#recordLayout},
 * the superseded count, the row count, then each row as {@link TableWriter#writeRecord} writes it (values only, no
 * class names or per-row type tags). Rows kept under another layout are refused when read, with a message that names
 * the table, rather than misread into the wrong columns.
 */
final class EpochRowsSerializer<T> implements SimpleVersionedSerializer<EpochRows<T>> {
    static final int VERSION = 1;
    private final TableWriter<T> writer;

    EpochRowsSerializer(TableWriter<T> writer) {
        this.writer = writer;
    }

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(EpochRows<T> epoch) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64 + 32 * epoch.rows().size());
        out.writeUTF(writer.recordLayout());
        out.writeInt(epoch.superseded());
        out.writeInt(epoch.rows().size());
        for (T row : epoch.rows()) {
            writer.writeRecord(row, out);
        }
        return out.getCopyOfBuffer();
    }

    @Override
    public EpochRows<T> deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException("The checkpoint holds rows for " + writer.table() + " (" + writer.field()
                    + ") in format version " + version + ", which this job does not read (it reads " + VERSION + ")");
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        String layout = in.readUTF();
        if (!layout.equals(writer.recordLayout())) {
            throw new IOException("The checkpoint holds rows not yet written to " + writer.table() + " (" + writer.field()
                    + ") with the columns [" + layout + "], but this spec writes [" + writer.recordLayout()
                    + "]: restore it with the spec it was taken with, or start without its state");
        }
        int superseded = in.readInt();
        int count = in.readInt();
        List<T> rows = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            rows.add(writer.readRecord(in));
        }
        return new EpochRows<>(rows, superseded);
    }
}
