package io.streampipe.job.sink;

import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import java.sql.SQLException;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Which errors are retried, after how long, and what a failure says (the database's behaviour: PostgresSinkWriterIT). */
class BatchCommitterTest {
    @Test
    void errorsARetryCannotFixAreNotRetried() {
        for (String permanent : new String[]{"23505", "23514", "22001", "42703", "42P01", "42501", "28P01", "0A000", "3F000"}) {
            assertThat(BatchCommitter.isPermanent(new SQLException("x", permanent))).as(permanent).isTrue();
        }
        // Connection lost, terminated by an administrator, deadlock, serialization failure, too many connections,
        // canceled by statement_timeout, and a driver error without a state.
        for (String retried : new String[]{"08006", "08003", "57P01", "40P01", "40001", "53300", "57014", null}) {
            assertThat(BatchCommitter.isPermanent(new SQLException("x", retried))).as(retried).isFalse();
        }
    }

    @Test
    void theBackoffDoublesFromHalfASecondUpToTenSeconds() {
        assertThat(IntStream.range(0, 8).mapToLong(BatchCommitter::backoffMs).boxed().toList())
                .containsExactly(500L, 1_000L, 2_000L, 4_000L, 8_000L, 10_000L, 10_000L, 10_000L);
        assertThat(BatchCommitter.backoffMs(Integer.MAX_VALUE)).isEqualTo(10_000L);
    }

    /** PostgreSQL's detail line quotes the row that failed; a message that may reach a status must not carry it. */
    @Test
    void aFailureIsDescribedByItsStateAndPrimaryMessageWithoutTheRowsDetail() {
        PSQLException e = new PSQLException(new ServerErrorMessage("SERROR\0C23514\0Mnew row for relation \"orders\""
                + " violates check constraint \"small_amounts\"\0DFailing row contains (ord-1, secret-customer).\0"));
        assertThat(e.getMessage()).contains("secret-customer");
        assertThat(BatchCommitter.describe(e))
                .isEqualTo("SQLSTATE 23514: new row for relation \"orders\" violates check constraint \"small_amounts\"");
        assertThat(BatchCommitter.describe(new SQLException("An I/O error occurred", "08006")))
                .isEqualTo("SQLSTATE 08006: An I/O error occurred");
    }

    @Test
    void aJdbcUrlIsShownWithoutItsParameters() {
        assertThat(BatchCommitter.withoutParameters("jdbc:postgresql://db:5432/shop?user=u&password=p"))
                .isEqualTo("jdbc:postgresql://db:5432/shop");
        assertThat(BatchCommitter.withoutParameters("jdbc:postgresql://db/shop")).isEqualTo("jdbc:postgresql://db/shop");
    }
}
