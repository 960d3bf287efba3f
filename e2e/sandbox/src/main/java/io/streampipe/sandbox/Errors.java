package io.streampipe.sandbox;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Failures as one line for the console: the chain of messages, wrappers left out. */
public final class Errors {
    private Errors() {
    }

    public static String describe(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof ExecutionException || cause instanceof CompletionException
                || cause instanceof UncheckedIOException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        List<String> messages = new ArrayList<>();
        for (Throwable t = cause; t != null && messages.size() < 4; t = t.getCause()) {
            String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (messages.isEmpty() || !messages.get(messages.size() - 1).contains(message)) {
                messages.add(message);
            }
        }
        return String.join(": ", messages);
    }
}
