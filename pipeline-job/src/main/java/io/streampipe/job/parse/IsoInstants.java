package io.streampipe.job.parse;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * ISO-8601 timestamps with an offset to epoch milliseconds, exactly as {@code OffsetDateTime.parse(text)
 * .toInstant().toEpochMilli()}. The shape nearly every producer writes, {@code yyyy-MM-ddTHH:mm:ss[.f…](Z|±HH:MM)},
 * is read directly, without java.time's general parser (which cost a fifth of the job's CPU in e2e/bench); any
 * other text, valid or not, goes to {@code OffsetDateTime.parse}, so what is accepted and what is refused does not
 * change.
 */
final class IsoInstants {
    private static final int[] DAYS_IN_MONTH = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    private IsoInstants() {
    }

    /** @throws DateTimeParseException when it is not an ISO-8601 date-time with offset */
    static long toEpochMillis(String text) {
        long fast = fast(text);
        return fast != Long.MIN_VALUE ? fast : OffsetDateTime.parse(text).toInstant().toEpochMilli();
    }

    /** Long.MIN_VALUE when the text is not of the common shape or not a valid date-time. */
    static long fast(String s) {
        int n = s.length();
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return Long.MIN_VALUE;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour < 0 || hour > 23
                || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return Long.MIN_VALUE;
        }
        int i = 19;
        int millis = 0;
        if (s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                if (i - start < 3) {
                    millis = millis * 10 + (s.charAt(i) - '0');
                }
                i++;
            }
            int fractionDigits = i - start;
            if (fractionDigits == 0 || fractionDigits > 9) {
                return Long.MIN_VALUE;
            }
            for (int d = fractionDigits; d < 3; d++) {
                millis *= 10;
            }
        }
        int offsetSeconds;
        if (i == n - 1 && s.charAt(i) == 'Z') {
            offsetSeconds = 0;
        } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
            int offsetHours = digits(s, i + 1, 2);
            int offsetMinutes = digits(s, i + 4, 2);
            if (offsetHours < 0 || offsetHours > 18 || offsetMinutes < 0 || offsetMinutes > 59
                    || (offsetHours == 18 && offsetMinutes > 0)) {
                return Long.MIN_VALUE;
            }
            offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (s.charAt(i) == '-' ? -1 : 1);
        } else {
            return Long.MIN_VALUE;
        }
        long epochSecond = epochDay(year, month, day) * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
        return epochSecond * 1000 + millis;
    }

    /** The decimal number in {@code s[from, from + count)}, or -1 if a character is not a digit. */
    private static int digits(String s, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static int daysIn(int year, int month) {
        boolean leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        return month == 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (as LocalDate.toEpochDay). */
    private static long epochDay(int year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yearOfEra = y - era * 400;
        long dayOfYear = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097 + dayOfEra - 719_468;
    }
}
