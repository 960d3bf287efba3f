package io.streampipe.job.parse;

/**
 * A record that does not match the declared schema. Thrown only on the bad-data path and without a stack trace,
 * so rejecting stays cheap; the message is the reason written to the dead-letter table.
 */
public final class RecordRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    public RecordRejectedException(String reason) {
        super(reason, null, false, false);
    }
}
