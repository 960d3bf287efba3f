package io.streampipe.job.source;

import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A source whose every split (Kafka partition) holds back its subtask's watermark from the moment the split is
 * assigned, not from its first record.
 *
 * <p>Flink 1.20's {@code SourceReaderBase} creates a split's watermark output only when the split's first records
 * arrive ({@code moveToNextSplit}), and the subtask's watermark is the minimum over the outputs that exist. On a
 * backlog (a start from earliest, a resume after downtime, a rescale) with several partitions per subtask, the first
 * partition fetched then carries the watermark past the events of the partitions not fetched yet, and those are all
 * late: counted in no window, sent to the late table. Here every assigned split gets its output (and so its
 * watermark generator, with its idleness) as soon as it is added, before the reader runs again; the reader's own call
 * finds it there (creating a split's output is idempotent in {@code ProgressiveTimestampsAndWatermarks}). An empty
 * partition holds the watermark only until its idle timeout, as one that stops receiving events does.
 *
 * <p>Only the reader is wrapped: the splits, the enumerator and their state are the delegate's, so savepoints are
 * unchanged.
 */
public final class EverySplitHoldsTheWatermark<T, SplitT extends SourceSplit, EnumChkT> implements Source<T, SplitT, EnumChkT> {
    private static final long serialVersionUID = 1L;

    private final Source<T, SplitT, EnumChkT> delegate;

    private EverySplitHoldsTheWatermark(Source<T, SplitT, EnumChkT> delegate) {
        this.delegate = delegate;
    }

    public static <T, SplitT extends SourceSplit, EnumChkT> Source<T, SplitT, EnumChkT> of(Source<T, SplitT, EnumChkT> source) {
        return new EverySplitHoldsTheWatermark<>(source);
    }

    @Override
    public Boundedness getBoundedness() {
        return delegate.getBoundedness();
    }

    @Override
    public SourceReader<T, SplitT> createReader(SourceReaderContext readerContext) throws Exception {
        return new Reader<>(delegate.createReader(readerContext));
    }

    @Override
    public SplitEnumerator<SplitT, EnumChkT> createEnumerator(SplitEnumeratorContext<SplitT> enumContext) throws Exception {
        return delegate.createEnumerator(enumContext);
    }

    @Override
    public SplitEnumerator<SplitT, EnumChkT> restoreEnumerator(SplitEnumeratorContext<SplitT> enumContext, EnumChkT checkpoint)
            throws Exception {
        return delegate.restoreEnumerator(enumContext, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<SplitT> getSplitSerializer() {
        return delegate.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<EnumChkT> getEnumeratorCheckpointSerializer() {
        return delegate.getEnumeratorCheckpointSerializer();
    }

    /** The delegate's reader, which registers each added split's output before it next polls. */
    private static final class Reader<T, SplitT extends SourceSplit> implements SourceReader<T, SplitT> {
        private final SourceReader<T, SplitT> delegate;
        /** Splits added since the last poll; only the task thread touches it (adds and polls both run there). */
        private final List<String> withoutOutput = new ArrayList<>();

        Reader(SourceReader<T, SplitT> delegate) {
            this.delegate = delegate;
        }

        @Override
        public void start() {
            delegate.start();
        }

        @Override
        public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
            if (!withoutOutput.isEmpty()) {
                withoutOutput.forEach(output::createOutputForSplit);
                withoutOutput.clear();
            }
            return delegate.pollNext(output);
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return delegate.isAvailable();
        }

        @Override
        public void addSplits(List<SplitT> splits) {
            splits.forEach(split -> withoutOutput.add(split.splitId()));
            delegate.addSplits(splits);
        }

        @Override
        public void notifyNoMoreSplits() {
            delegate.notifyNoMoreSplits();
        }

        @Override
        public void handleSourceEvents(SourceEvent sourceEvent) {
            delegate.handleSourceEvents(sourceEvent);
        }

        @Override
        public List<SplitT> snapshotState(long checkpointId) {
            return delegate.snapshotState(checkpointId);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            delegate.notifyCheckpointComplete(checkpointId);
        }

        @Override
        public void notifyCheckpointAborted(long checkpointId) throws Exception {
            delegate.notifyCheckpointAborted(checkpointId);
        }

        @Override
        public void pauseOrResumeSplits(Collection<String> splitsToPause, Collection<String> splitsToResume) {
            delegate.pauseOrResumeSplits(splitsToPause, splitsToResume);
        }

        @Override
        public void close() throws Exception {
            delegate.close();
        }
    }
}
