package io.streampipe.sandbox.generator;

/** A generated event the broker acknowledged, and where it landed. */
public record ProducedEvent(GeneratedEvent event, int partition, long offset) {
}
