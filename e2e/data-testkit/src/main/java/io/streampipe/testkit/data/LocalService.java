package io.streampipe.testkit.data;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Lifecycle shared by the real services of this testkit. Use one instance per test class:
 *
 * <pre>{@code @RegisterExtension static final KafkaBroker kafka = new KafkaBroker();}</pre>
 *
 * It starts in {@code beforeAll} and stops in {@code afterAll} of the class that registered it
 * (nested classes reuse it), or by hand with {@link #start()} and {@link #close()}. A JVM
 * shutdown hook stops it if nobody else did, and a watchdog process stops it if the JVM is
 * killed outright.
 */
public abstract class LocalService implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

  private final Thread shutdownHook =
      new Thread(this::close, getClass().getSimpleName() + "-shutdown");
  private boolean running;
  private String startedByContextId;

  /** Starts the service; does nothing if it runs already. */
  public final synchronized void start() {
    if (running) {
      return;
    }
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    try {
      startProcesses();
      running = true;
    } finally {
      if (!running) {
        removeShutdownHook();
      }
    }
  }

  /** Stops the service and deletes its files; does nothing if it does not run. */
  @Override
  public final synchronized void close() {
    if (!running) {
      return;
    }
    running = false;
    try {
      stopProcesses();
    } finally {
      removeShutdownHook();
    }
  }

  public final synchronized boolean isRunning() {
    return running;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    synchronized (this) {
      if (running) {
        return;
      }
      startedByContextId = context.getUniqueId();
    }
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    synchronized (this) {
      if (!context.getUniqueId().equals(startedByContextId)) {
        return;
      }
      startedByContextId = null;
    }
    close();
  }

  /**
   * Starts the processes and waits until they serve. On failure it must stop whatever it
   * started and throw an exception that names the log file.
   */
  protected abstract void startProcesses();

  /** Stops the processes and deletes the work directory. */
  protected abstract void stopProcesses();

  protected final void requireRunning() {
    if (!isRunning()) {
      throw new IllegalStateException(getClass().getSimpleName()
          + " is not running: register it with @RegisterExtension on a static field, or call start()");
    }
  }

  private void removeShutdownHook() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException jvmIsShuttingDown) {
      // The hook is running or about to run; nothing to remove.
    }
  }
}
