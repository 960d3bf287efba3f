package io.streampipe.job.parse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@link FieldPattern} against its oracle, {@link Pattern#matches}: generated patterns (inside the simple subset and
 * outside it) on values generated to match them and then changed by one character, over an alphabet that holds
 * what the subset must get right — line terminators for {@code .}, characters above 127, surrogate pairs, lone
 * surrogates and the pattern's own metacharacters.
 */
class FieldPatternTest {
    private static final String[] ALPHABET = {
            "a", "b", "z", "A", "Q", "0", "7", "9", "-", "_", " ", "\t", "\n", "\r", "\u000B", ".", "\\", "]", "[",
            "^", "$", "{", "é", "\u0085", "\u2028", "Ω", "\uD83D\uDE00", "\uD800", "\uDC00"};
    private static final int SEEDS = Integer.getInteger("streampipe.patternSeeds", 3_000);

    @ParameterizedTest
    @ValueSource(strings = {"^ord-[0-9a-f]{8}$", "^[A-Z]{2}$", "^s-[0-9]{1,6}$", "[a-z_]+", "\\d{3}-\\d{4}", ".*",
            "^[^\\s]+@[^\\s.]+\\.[a-z]{2,}$", "[-a-c]x?", "a\\.b\\$", "", "^$", "[\\w-]{0,}"})
    void theCommonShapesAreSimple(String pattern) {
        assertThat(FieldPattern.compile(pattern).isSimple()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"(a|b)", "a|b", "a*?", "a++", "\\bfoo", "[a&&b]", "\\p{L}+", "[a[b]]", "(?i)abc", "a$b",
            "x^", "\\Qa.b\\E", "\\x41", "\\1", "a{2}{3}", "[\\D]", "[\\d-z]", "[a-b-c]"})
    void everythingElseIsLeftToRegex(String pattern) {
        assertThat(FieldPattern.compile(pattern).isSimple()).isFalse();
    }

    @Test
    void refusesWhatRegexRefuses() {
        assertThatThrownBy(() -> FieldPattern.compile("[z-a]")).isInstanceOf(PatternSyntaxException.class);
        assertThatThrownBy(() -> FieldPattern.compile("a{2")).isInstanceOf(PatternSyntaxException.class);
    }

    @Test
    void theBenchmarkPatternsOnTheirEdges() {
        FieldPattern order = FieldPattern.compile("^ord-[0-9a-f]{8}$");
        assertThat(order.matches("ord-0123abcd")).isTrue();
        assertThat(order.matches("ord-0123abcD")).isFalse();
        assertThat(order.matches("ord-0123abc")).isFalse();
        assertThat(order.matches("ord-0123abcd\n")).isFalse();
        assertThat(order.matches("ord-0123abc\uD83D\uDE00")).isFalse();
        FieldPattern sensor = FieldPattern.compile("^s-[0-9]{1,6}$");
        assertThat(sensor.matches("s-1")).isTrue();
        assertThat(sensor.matches("s-123456")).isTrue();
        assertThat(sensor.matches("s-1234567")).isFalse();
        assertThat(sensor.matches("s-")).isFalse();
        // One code point to regex: "." takes a surrogate pair whole.
        assertThat(FieldPattern.compile("a.b").matches("a\uD83D\uDE00b")).isTrue();
        assertThat(FieldPattern.compile("a..b").matches("a\uD83D\uDE00b")).isFalse();
    }

    @Test
    void agreesWithRegexOnGeneratedPatternsAndValues() {
        int simple = 0;
        int matched = 0;
        int compared = 0;
        for (int seed = 0; seed < SEEDS; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            Generated generated = pattern(random);
            Pattern oracle;
            try {
                oracle = Pattern.compile(generated.pattern);
            } catch (PatternSyntaxException e) {
                continue;
            }
            FieldPattern pattern = FieldPattern.compile(generated.pattern);
            if (pattern.isSimple()) {
                simple++;
            }
            for (String value : values(random, generated)) {
                boolean expected = oracle.matcher(value).matches();
                if (pattern.matches(value) != expected) {
                    fail("seed %d: pattern %s on %s: regex says %s", seed, show(generated.pattern), show(value), expected);
                }
                matched += expected ? 1 : 0;
                compared++;
            }
        }
        // The comparison means something only if most patterns took the simple path and values both matched and not.
        assertThat(simple).isGreaterThan(SEEDS / 2);
        assertThat(matched).isGreaterThan(compared / 5).isLessThan(compared * 4 / 5);
    }

    /** A pattern, and what a matching value is made of: one chooser per step, run its count of times. */
    private record Generated(String pattern, List<Piece> pieces) {
    }

    private record Piece(List<String> choices, int min, int max) {
    }

    private static Generated pattern(SplittableRandom random) {
        StringBuilder pattern = new StringBuilder();
        List<Piece> pieces = new ArrayList<>();
        if (random.nextInt(3) == 0) {
            pattern.append('^');
        }
        int steps = random.nextInt(5);
        for (int s = 0; s < steps; s++) {
            List<String> choices = new ArrayList<>();
            pattern.append(atom(random, choices));
            int[] count = {1, 1};
            switch (random.nextInt(9)) {
                case 0 -> { pattern.append('?'); count = new int[] {0, 1}; }
                case 1 -> { pattern.append('*'); count = new int[] {0, 3}; }
                case 2 -> { pattern.append('+'); count = new int[] {1, 3}; }
                case 3 -> {
                    int n = random.nextInt(4);
                    pattern.append('{').append(n).append('}');
                    count = new int[] {n, n};
                }
                case 4 -> {
                    int n = random.nextInt(3);
                    int m = n + random.nextInt(3);
                    pattern.append('{').append(n).append(',').append(m).append('}');
                    count = new int[] {n, m};
                }
                case 5 -> {
                    int n = random.nextInt(3);
                    pattern.append('{').append(n).append(",}");
                    count = new int[] {n, n + 2};
                }
                default -> { }
            }
            if (count[1] > 1 && random.nextInt(12) == 0) {
                pattern.append(random.nextBoolean() ? '?' : '+'); // lazy or possessive: regex's
            }
            pieces.add(new Piece(choices, count[0], count[1]));
        }
        if (random.nextInt(12) == 0) {
            pattern.insert(pattern.length() / 2, "(x|").append(')'); // outside the subset
            pieces.clear();
        }
        if (random.nextInt(3) == 0) {
            pattern.append('$');
        }
        return new Generated(pattern.toString(), pieces);
    }

    /** One atom of the pattern; adds to {@code choices} characters it matches (not necessarily all). */
    private static String atom(SplittableRandom random, List<String> choices) {
        switch (random.nextInt(6)) {
            case 0 -> {
                choices.add("a");
                choices.add("\uD83D\uDE00");
                choices.add("é");
                return ".";
            }
            case 1 -> {
                String[] shorthands = {"\\d", "\\D", "\\w", "\\W", "\\s", "\\S"};
                String shorthand = shorthands[random.nextInt(shorthands.length)];
                for (String c : ALPHABET) {
                    if (Pattern.matches(shorthand, c)) {
                        choices.add(c);
                    }
                }
                return shorthand;
            }
            case 2, 3 -> {
                return characterClass(random, choices);
            }
            default -> {
                String c = ALPHABET[random.nextInt(ALPHABET.length)];
                choices.add(c);
                return c.length() == 1 && "\\^$.|?*+()[]{}".indexOf(c.charAt(0)) >= 0 ? "\\" + c : c;
            }
        }
    }

    private static String characterClass(SplittableRandom random, List<String> choices) {
        StringBuilder set = new StringBuilder("[");
        boolean negated = random.nextInt(4) == 0;
        if (negated) {
            set.append('^');
        }
        if (random.nextInt(6) == 0) {
            set.append('-');
        }
        int items = 1 + random.nextInt(3);
        for (int i = 0; i < items; i++) {
            switch (random.nextInt(5)) {
                case 0 -> set.append(random.nextBoolean() ? "a-f" : random.nextBoolean() ? "0-9" : "\u00e0-\u00ff");
                case 1 -> set.append(random.nextBoolean() ? "\\d" : random.nextBoolean() ? "\\w" : "\\s");
                case 2 -> set.append(random.nextBoolean() ? "\\]" : random.nextBoolean() ? "\\\\" : "\\-");
                case 3 -> set.append(random.nextBoolean() ? "Ω" : ".$^{");
                default -> {
                    String c = ALPHABET[random.nextInt(ALPHABET.length)];
                    set.append(c.length() == 1 && "\\[]^-&".indexOf(c.charAt(0)) >= 0 ? "\\" + c : c);
                }
            }
        }
        if (random.nextInt(6) == 0) {
            set.append('-');
        }
        String text = set.append(']').toString();
        try {
            Pattern compiled = Pattern.compile(text);
            for (String c : ALPHABET) {
                if (compiled.matcher(c).matches()) {
                    choices.add(c);
                }
            }
        } catch (PatternSyntaxException e) {
            choices.add("a");
        }
        return text;
    }

    /** Values built from the pattern's pieces (most match), each also with one character changed, added or removed. */
    private static List<String> values(SplittableRandom random, Generated generated) {
        List<String> values = new ArrayList<>();
        for (int v = 0; v < 6; v++) {
            StringBuilder value = new StringBuilder();
            for (Piece piece : generated.pieces) {
                int times = piece.min + random.nextInt(piece.max - piece.min + 1);
                for (int t = 0; t < times && !piece.choices.isEmpty(); t++) {
                    value.append(piece.choices.get(random.nextInt(piece.choices.size())));
                }
            }
            values.add(value.toString());
            values.add(changed(random, value.toString()));
        }
        StringBuilder noise = new StringBuilder();
        for (int i = random.nextInt(8); i > 0; i--) {
            noise.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        }
        values.add(noise.toString());
        return values;
    }

    private static String changed(SplittableRandom random, String value) {
        StringBuilder changed = new StringBuilder(value);
        int at = value.isEmpty() ? 0 : random.nextInt(value.length() + 1);
        switch (random.nextInt(3)) {
            case 0 -> changed.insert(at, ALPHABET[random.nextInt(ALPHABET.length)]);
            case 1 -> {
                if (at < changed.length()) {
                    changed.deleteCharAt(at);
                }
            }
            default -> {
                if (at < changed.length()) {
                    changed.setCharAt(at, ALPHABET[random.nextInt(ALPHABET.length)].charAt(0));
                }
            }
        }
        return changed.toString();
    }

    private static String show(String text) {
        StringBuilder shown = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            shown.append(c >= ' ' && c < 127 ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return shown.append('"').toString();
    }
}
