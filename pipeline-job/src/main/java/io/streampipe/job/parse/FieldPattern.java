package io.streampipe.job.parse;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A field's declared pattern, matched against a whole value as {@link Pattern#matches} does.
 *
 * <p>Most declared patterns are a sequence of literals and character classes with greedy counts, such as
 * {@code ^ord-[0-9a-f]{8}$}. Those are matched here in time linear in the value's length, without
 * {@code java.util.regex}, whose matching cost about 250 ns per record for the two patterns of the sink benchmark,
 * 12 % of the job's Flink-thread samples there ({@code bench parse}, e2e/bench/README.md). Everything else goes to
 * {@code java.util.regex}: groups, alternation, anchors inside the pattern, lazy or possessive counts, escapes other
 * than {@code \d \D \w \W \s \S} and escaped punctuation, class unions and intersections, and every value that holds a
 * surrogate (regex counts code points, this counts characters). {@code FieldPatternTest} compares both on generated
 * patterns and values.
 */
final class FieldPattern implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int UNBOUNDED = Integer.MAX_VALUE;
    /** Counts above this go to regex; Java accepts any int, and nobody declares such a count. */
    private static final int MAX_COUNT = 100_000;

    private final Pattern regex;
    /** The pattern as a sequence of counted character sets, or null where regex must match it. */
    private final Step[] steps;
    /** The value length every match has, or -1 when a step's count varies. */
    private final int fixedLength;

    private FieldPattern(Pattern regex, Step[] steps) {
        this.regex = regex;
        this.steps = steps;
        int length = 0;
        if (steps != null) {
            for (Step step : steps) {
                length = step.min == step.max && length >= 0 ? length + step.min : -1;
            }
        }
        this.fixedLength = steps == null ? -1 : length;
    }

    /**
     * @throws java.util.regex.PatternSyntaxException as {@link Pattern#compile} does
     */
    static FieldPattern compile(String pattern) {
        Pattern regex = Pattern.compile(pattern);
        return new FieldPattern(regex, new Reader(pattern).steps());
    }

    /** Whether this pattern is matched without {@code java.util.regex} (for values without surrogates). */
    boolean isSimple() {
        return steps != null;
    }

    boolean matches(String value) {
        if (steps == null) {
            return regex.matcher(value).matches();
        }
        if (fixedLength >= 0) {
            return matchesFixed(value);
        }
        if (hasSurrogate(value)) {
            return regex.matcher(value).matches();
        }
        return matchesCounted(value);
    }

    /** Every step has one count: the value's length must be their sum, and each character is in its step's set. */
    private boolean matchesFixed(String value) {
        if (value.length() != fixedLength) {
            // A surrogate pair is one code point to regex: such a value may still have the right number of them.
            return hasSurrogate(value) && regex.matcher(value).matches();
        }
        int at = 0;
        for (Step step : steps) {
            for (int i = 0; i < step.min; i++, at++) {
                char c = value.charAt(at);
                // A set is of whole characters: a surrogate, even where a negated set would take it, is regex's.
                if (Character.isSurrogate(c) || !step.set.contains(c)) {
                    return hasSurrogate(value) && regex.matcher(value).matches();
                }
            }
        }
        return true;
    }

    /**
     * Some step's count varies: the positions each step can end at, step after step, each computed from the
     * previous ones in one pass (a run of characters in the step's set, counted between min and max), so it stays
     * linear in the value's length whatever the pattern; regex backtracks.
     */
    private boolean matchesCounted(String value) {
        int n = value.length();
        boolean[] reach = new boolean[n + 1];
        boolean[] next = new boolean[n + 1];
        int[] runEnd = new int[n + 1];
        int[] starts = new int[n + 2];
        reach[0] = true;
        for (Step step : steps) {
            runEnd[n] = n;
            for (int p = n - 1; p >= 0; p--) {
                runEnd[p] = step.set.contains(value.charAt(p)) ? runEnd[p + 1] : p;
            }
            Arrays.fill(starts, 0);
            boolean any = false;
            for (int p = 0; p <= n; p++) {
                if (!reach[p]) {
                    continue;
                }
                long from = (long) p + step.min;
                long to = step.max == UNBOUNDED ? runEnd[p] : Math.min(runEnd[p], (long) p + step.max);
                if (from <= to) {
                    starts[(int) from]++;
                    starts[(int) to + 1]--;
                    any = true;
                }
            }
            if (!any) {
                return false;
            }
            int open = 0;
            for (int q = 0; q <= n; q++) {
                open += starts[q];
                next[q] = open > 0;
            }
            boolean[] swap = reach;
            reach = next;
            next = swap;
        }
        return reach[n];
    }

    private static boolean hasSurrogate(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isSurrogate(value.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return regex.pattern();
    }

    /** A character set taken between {@code min} and {@code max} times. */
    private record Step(CharSet set, int min, int max) implements Serializable {
    }

    /** Characters of the Basic Multilingual Plane: a bitmap below 128, ranges above, and a negation. */
    private static final class CharSet implements Serializable {
        private static final long serialVersionUID = 1L;
        private final long low;
        private final long high;
        private final char[] from;
        private final char[] to;
        private final boolean negated;

        CharSet(List<char[]> ranges, boolean negated) {
            long lowBits = 0;
            long highBits = 0;
            List<char[]> above = new ArrayList<>();
            for (char[] range : ranges) {
                for (int c = range[0]; c <= range[1] && c < 128; c++) {
                    if (c < 64) {
                        lowBits |= 1L << c;
                    } else {
                        highBits |= 1L << (c - 64);
                    }
                }
                if (range[1] >= 128) {
                    above.add(new char[] {(char) Math.max(range[0], 128), range[1]});
                }
            }
            this.low = negated ? ~lowBits : lowBits;
            this.high = negated ? ~highBits : highBits;
            this.from = new char[above.size()];
            this.to = new char[above.size()];
            for (int i = 0; i < above.size(); i++) {
                from[i] = above.get(i)[0];
                to[i] = above.get(i)[1];
            }
            this.negated = negated;
        }

        boolean contains(char c) {
            if (c < 64) {
                return (low & (1L << c)) != 0;
            }
            if (c < 128) {
                return (high & (1L << (c - 64))) != 0;
            }
            for (int i = 0; i < from.length; i++) {
                if (c >= from[i] && c <= to[i]) {
                    return !negated;
                }
            }
            return negated;
        }
    }

    /**
     * Reads the simple subset of Java's pattern syntax; {@link #steps} is null for anything outside it. Only called
     * on patterns {@link Pattern#compile} accepted, so it need not explain errors.
     */
    private static final class Reader {
        private static final String META = "\\^$.|?*+()[]{}";
        private static final char[][] DIGITS = {{'0', '9'}};
        private static final char[][] WORD = {{'a', 'z'}, {'A', 'Z'}, {'_', '_'}, {'0', '9'}};
        private static final char[][] SPACE = {{' ', ' '}, {'\t', '\r'}};
        /** What {@code .} does not match without DOTALL: the line terminators. */
        private static final char[][] LINE_TERMINATORS = {{'\n', '\n'}, {'\r', '\r'}, {'\u0085', '\u0085'}, {'\u2028', '\u2029'}};

        private final String pattern;
        private int at;
        private final int end;

        Reader(String pattern) {
            this.pattern = pattern;
            this.at = pattern.startsWith("^") ? 1 : 0;
            this.end = endsWithAnchor(pattern) ? pattern.length() - 1 : pattern.length();
        }

        /** A final {@code $} that is not escaped: under a whole-value match it, like a leading {@code ^}, adds nothing. */
        private static boolean endsWithAnchor(String pattern) {
            if (!pattern.endsWith("$")) {
                return false;
            }
            int backslashes = 0;
            for (int i = pattern.length() - 2; i >= 0 && pattern.charAt(i) == '\\'; i--) {
                backslashes++;
            }
            return backslashes % 2 == 0;
        }

        Step[] steps() {
            List<Step> steps = new ArrayList<>();
            while (at < end) {
                CharSet set = atom();
                if (set == null) {
                    return null;
                }
                int[] count = count();
                if (count == null) {
                    return null;
                }
                steps.add(new Step(set, count[0], count[1]));
            }
            return steps.toArray(Step[]::new);
        }

        private CharSet atom() {
            char c = pattern.charAt(at);
            if (Character.isSurrogate(c)) {
                return null;
            }
            if (c == '[') {
                return characterClass();
            }
            if (c == '.') {
                at++;
                return new CharSet(List.of(LINE_TERMINATORS), true);
            }
            if (c == '\\') {
                return escapeOutsideClass();
            }
            if (META.indexOf(c) >= 0) {
                return null;
            }
            at++;
            return new CharSet(List.<char[]>of(new char[] {c, c}), false);
        }

        private CharSet escapeOutsideClass() {
            if (at + 1 >= end) {
                return null;
            }
            char e = pattern.charAt(at + 1);
            char[][] shorthand = shorthand(Character.toLowerCase(e));
            if (shorthand != null && Character.isLetter(e)) {
                at += 2;
                return new CharSet(List.of(shorthand), Character.isUpperCase(e));
            }
            if (!isEscapedLiteral(e)) {
                return null;
            }
            at += 2;
            return new CharSet(List.<char[]>of(new char[] {e, e}), false);
        }

        private static char[][] shorthand(char e) {
            return switch (e) {
                case 'd' -> DIGITS;
                case 'w' -> WORD;
                case 's' -> SPACE;
                default -> null;
            };
        }

        /** A backslash before an ASCII character that is neither a letter nor a digit makes it literal. */
        private static boolean isEscapedLiteral(char e) {
            return e < 128 && !Character.isLetterOrDigit(e) && e >= ' ';
        }

        /**
         * {@code [...]} or {@code [^...]}: single characters, ranges between two of them, escaped punctuation and
         * {@code \d \w \s}; a {@code -} only first or last. No nested classes, intersections or negated shorthands.
         */
        private CharSet characterClass() {
            int i = at + 1;
            boolean negated = i < end && pattern.charAt(i) == '^';
            if (negated) {
                i++;
            }
            List<char[]> ranges = new ArrayList<>();
            int first = i;
            while (true) {
                if (i >= end) {
                    return null;
                }
                char c = pattern.charAt(i);
                if (c == ']' && i > first) {
                    break;
                }
                if (c == '[' || c == ']' || c == '^' || c == '&' || Character.isSurrogate(c)) {
                    return null;
                }
                char low;
                if (c == '\\') {
                    if (i + 1 >= end) {
                        return null;
                    }
                    char e = pattern.charAt(i + 1);
                    char[][] shorthand = Character.isLowerCase(e) ? shorthand(e) : null;
                    if (shorthand != null) {
                        ranges.addAll(List.of(shorthand));
                        i += 2;
                        if (i < end && pattern.charAt(i) == '-' && i + 1 < end && pattern.charAt(i + 1) != ']') {
                            return null; // a range from a shorthand
                        }
                        continue;
                    }
                    if (!isEscapedLiteral(e)) {
                        return null;
                    }
                    low = e;
                    i += 2;
                } else if (c == '-') {
                    if (i != first && !(i + 1 < end && pattern.charAt(i + 1) == ']')) {
                        return null;
                    }
                    ranges.add(new char[] {'-', '-'}); // first or last: a literal, never a range's start
                    i++;
                    continue;
                } else {
                    low = c;
                    i++;
                }
                char high = low;
                if (i + 1 < end && pattern.charAt(i) == '-' && pattern.charAt(i + 1) != ']') {
                    char h = pattern.charAt(i + 1);
                    if (h == '\\' || h == '[' || h == '^' || h == '&' || h == '-' || Character.isSurrogate(h)) {
                        return null;
                    }
                    high = h;
                    i += 2;
                }
                ranges.add(new char[] {low, high});
            }
            at = i + 1;
            return new CharSet(ranges, negated);
        }

        /** {@code ? * + {n} {n,} {n,m}}, greedy only; none is once. Null for a lazy or possessive count. */
        private int[] count() {
            int[] count = {1, 1};
            if (at >= end) {
                return count;
            }
            char c = pattern.charAt(at);
            if (c == '?' || c == '*' || c == '+') {
                count = c == '?' ? new int[] {0, 1} : c == '*' ? new int[] {0, UNBOUNDED} : new int[] {1, UNBOUNDED};
                at++;
            } else if (c == '{') {
                int close = pattern.indexOf('}', at);
                if (close < 0 || close >= end) {
                    return null;
                }
                count = bounds(pattern.substring(at + 1, close));
                if (count == null) {
                    return null;
                }
                at = close + 1;
            } else {
                return count;
            }
            if (at < end && (pattern.charAt(at) == '?' || pattern.charAt(at) == '+')) {
                return null;
            }
            if (at < end && "*{".indexOf(pattern.charAt(at)) >= 0) {
                return null;
            }
            return count;
        }

        private static int[] bounds(String inside) {
            String[] parts = inside.split(",", -1);
            if (parts.length > 2 || !isCount(parts[0])) {
                return null;
            }
            int min = Integer.parseInt(parts[0]);
            if (parts.length == 1) {
                return new int[] {min, min};
            }
            if (parts[1].isEmpty()) {
                return new int[] {min, UNBOUNDED};
            }
            if (!isCount(parts[1])) {
                return null;
            }
            int max = Integer.parseInt(parts[1]);
            return max < min ? null : new int[] {min, max};
        }

        private static boolean isCount(String digits) {
            if (digits.isEmpty() || digits.length() > 6) {
                return false;
            }
            for (int i = 0; i < digits.length(); i++) {
                if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                    return false;
                }
            }
            return Integer.parseInt(digits) <= MAX_COUNT;
        }
    }
}
