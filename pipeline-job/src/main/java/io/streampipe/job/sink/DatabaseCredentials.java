package io.streampipe.job.sink;

import io.streampipe.api.JobContract;

import java.io.Serializable;

/**
 * Where the sink's database user and password come from. In a deployment: the environment of the process that
 * opens the connection (the Secret mounted as env on every Flink pod), so the password is never part of the job
 * graph. In-process runs and tests may pass them directly.
 */
public abstract class DatabaseCredentials implements Serializable {
    private static final long serialVersionUID = 1L;

    public abstract String username();

    public abstract String password();

    /** {@link JobContract#ENV_POSTGRES_USERNAME} and {@link JobContract#ENV_POSTGRES_PASSWORD}, read when used. */
    public static DatabaseCredentials fromEnvironment() {
        return new FromEnvironment();
    }

    public static DatabaseCredentials of(String username, String password) {
        return new Given(username, password);
    }

    @Override
    public final String toString() {
        return getClass().getSimpleName() + "{username=" + username() + ", password=***}";
    }

    private static final class FromEnvironment extends DatabaseCredentials {
        private static final long serialVersionUID = 1L;

        @Override
        public String username() {
            return System.getenv(JobContract.ENV_POSTGRES_USERNAME);
        }

        @Override
        public String password() {
            return System.getenv(JobContract.ENV_POSTGRES_PASSWORD);
        }
    }

    private static final class Given extends DatabaseCredentials {
        private static final long serialVersionUID = 1L;
        private final String username;
        private final String password;

        Given(String username, String password) {
            this.username = username;
            this.password = password;
        }

        @Override
        public String username() {
            return username;
        }

        @Override
        public String password() {
            return password;
        }
    }
}
