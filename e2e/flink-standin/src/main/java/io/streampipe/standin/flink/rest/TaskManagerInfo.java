package io.streampipe.standin.flink.rest;

/** One entry of {@code GET /taskmanagers}: a registered TaskManager, by its resource id. */
public record TaskManagerInfo(String id, int slots, int freeSlots) {
}
