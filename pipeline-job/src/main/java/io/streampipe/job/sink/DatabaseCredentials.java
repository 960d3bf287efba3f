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
        return new FromEnvironment(JobContract.ENV_POSTGRES_USERNAME, JobContract.ENV_POSTGRES_PASSWORD);
    }

    /**
     * The credentials of dimension {@code name} of spec.transform.enrich: from the environment, its own variables
     * ({@link JobContract#enrichUsernameEnv}); given directly (in-process runs, tests), these same ones.
     */
    public abstract DatabaseCredentials forDimension(String name);

    public static DatabaseCredentials of(String username, String password) {
        return new Given(username, password);
    }

    @Override
    public final String toString() {
        return getClass().getSimpleName() + "{username=" + username() + ", password=***}";
    }

    private static final class FromEnvironment extends DatabaseCredentials {
        private static final long serialVersionUID = 1L;
        private final String usernameEnv;
        private final String passwordEnv;

        FromEnvironment(String usernameEnv, String passwordEnv) {
            this.usernameEnv = usernameEnv;
            this.passwordEnv = passwordEnv;
        }

        @Override
        public String username() {
            return System.getenv(usernameEnv);
        }

        @Override
        public String password() {
            return System.getenv(passwordEnv);
        }

        @Override
        public DatabaseCredentials forDimension(String name) {
            return new FromEnvironment(JobContract.enrichUsernameEnv(name), JobContract.enrichPasswordEnv(name));
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

        @Override
        public DatabaseCredentials forDimension(String name) {
            return this;
        }
    }
}
