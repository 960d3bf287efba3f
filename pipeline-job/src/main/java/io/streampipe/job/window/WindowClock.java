package io.streampipe.job.window;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.types.Row;

import java.util.List;

/**
 * The window operator's event-time clock across restores, chained in front of it (same task, same keys): it
 * passes records on unchanged and watermarks only when they are higher than any it passed before, and it keeps the
 * highest in its checkpoints. After a restore it first hands the window operator that watermark, before any record,
 * and drops the lower ones the sources produce while they catch up.
 *
 * <p>Why: Flink does not checkpoint watermarks. A restored window operator (ours or Flink's {@code WindowOperator})
 * starts at no watermark, so a record that was too late before a restart (a replay, a record produced while the job
 * was down, a partition that resumes) is taken as on time: it re-opens a purged window, whose firing then carries
 * only what is left of it and overwrites the complete row; and sessions lose their whole past. With the clock, each
 * record is judged against the watermark the job had reached, as if it had never stopped; a purged window is never
 * re-opened, and a window that fired but is still within the allowed lateness fires again for a late record.
 *
 * <p>Which value a restore takes: the highest any subtask checkpointed ({@code watermark}, union state, so a rescale
 * sees all of them). Behind a {@code keyBy} every window subtask reads every upstream subtask, so each subtask's
 * input watermark is the whole stream's: the highest is a point every partition had passed. With aligned
 * checkpoints all subtasks hold the same value anyway; a subtask that holds no keys still counts, since it receives
 * the watermarks too.
 *
 * <p>It also keeps the {@link WindowLayout} its state was built with ({@code window-layout}) and refuses a restore
 * into another layout.
 */
public final class WindowClock extends AbstractStreamOperator<Row> implements OneInputStreamOperator<Row, Row> {
    private static final long serialVersionUID = 1L;
    private static final ListStateDescriptor<Long> WATERMARK = new ListStateDescriptor<>("watermark", Types.LONG);
    private static final ListStateDescriptor<String> LAYOUT = new ListStateDescriptor<>("window-layout", Types.STRING);

    private final WindowLayout layout;
    private transient ListState<Long> watermarkState;
    /** The highest watermark passed on or restored. */
    private transient long watermark;
    /** Whether the restored watermark has still to be handed on (before the first record or watermark). */
    private transient boolean restoredPending;

    public WindowClock(WindowLayout layout) {
        this.layout = layout;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        ListState<String> layoutState = context.getOperatorStateStore().getUnionListState(LAYOUT);
        String mismatch = layout.mismatch(layoutState.get());
        if (mismatch != null) {
            throw new IllegalStateException(mismatch);
        }
        layoutState.update(layout.entries());
        watermarkState = context.getOperatorStateStore().getUnionListState(WATERMARK);
        watermark = Long.MIN_VALUE;
        for (Long restored : watermarkState.get()) {
            watermark = Math.max(watermark, restored);
        }
        restoredPending = watermark != Long.MIN_VALUE;
    }

    @Override
    public void processElement(StreamRecord<Row> element) throws Exception {
        handOnRestored();
        output.collect(element);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        handOnRestored();
        if (mark.getTimestamp() > watermark) {
            watermark = mark.getTimestamp();
            super.processWatermark(mark);
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        watermarkState.update(List.of(watermark));
    }

    private void handOnRestored() throws Exception {
        if (restoredPending) {
            restoredPending = false;
            super.processWatermark(new Watermark(watermark));
        }
    }
}
