package io.streampipe.standin.flink.rest;

import java.util.List;

/** Flink's REST API answered a request with an error; {@link #errors()} is what it said, stack traces included. */
public final class FlinkRestException extends RuntimeException {
    private final int statusCode;
    private final List<String> errors;

    FlinkRestException(String request, int statusCode, List<String> errors) {
        super(request + " failed with HTTP " + statusCode + ": " + summary(errors));
        this.statusCode = statusCode;
        this.errors = List.copyOf(errors);
    }

    public int statusCode() {
        return statusCode;
    }

    public List<String> errors() {
        return errors;
    }

    /** Each error without its stack frames: the messages and their "Caused by:" lines. */
    static String summary(List<String> errors) {
        if (errors.isEmpty()) {
            return "(no error message)";
        }
        return String.join("\n", errors.stream().map(FlinkRestException::withoutFrames).toList());
    }

    static String withoutFrames(String trace) {
        return String.join("\n", trace.lines()
                .filter(line -> !line.isBlank())
                .filter(line -> !line.startsWith("\tat ") && !line.startsWith("    at ") && !line.strip().startsWith("... "))
                .toList());
    }
}
