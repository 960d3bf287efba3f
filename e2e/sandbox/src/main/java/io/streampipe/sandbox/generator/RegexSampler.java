package io.streampipe.sandbox.generator;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * Random strings that match a schema's {@code pattern}, for the patterns schemas use: literals, escapes, {@code .},
 * {@code \d \w \s}, character classes with ranges (and negation), groups with alternation, and the quantifiers
 * {@code ? * + {n} {n,} {n,m}}, anchored by {@code ^…$} or not. Anything else (look-around, back-references,
 * Unicode properties) is refused with {@link IllegalArgumentException}, so the caller can say which field it is.
 */
public final class RegexSampler {
    /** How far past its minimum an unbounded quantifier ({@code * + {n,}}) repeats. */
    private static final int UNBOUNDED_EXTRA = 4;
    private static final int ATTEMPTS = 50;

    private final String regex;
    private final Pattern pattern;
    private final Node root;

    private RegexSampler(String regex) {
        this.regex = regex;
        this.pattern = Pattern.compile(regex);
        this.root = new Parser(regex).parseWhole();
    }

    /** @throws IllegalArgumentException when the pattern uses a construct this sampler does not know */
    public static RegexSampler of(String regex) {
        return new RegexSampler(regex);
    }

    /** A string the pattern matches as a whole. */
    public String sample(Random random) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            StringBuilder out = new StringBuilder();
            root.append(random, out);
            if (pattern.matcher(out).matches()) {
                return out.toString();
            }
        }
        throw new IllegalArgumentException("no string matching /" + regex + "/ found in " + ATTEMPTS + " attempts");
    }

    public boolean matches(String value) {
        return pattern.matcher(value).matches();
    }

    private interface Node {
        void append(Random random, StringBuilder out);
    }

    private record Chars(char[] choices) implements Node {
        @Override
        public void append(Random random, StringBuilder out) {
            out.append(choices[random.nextInt(choices.length)]);
        }
    }

    private record Sequence(List<Node> parts) implements Node {
        @Override
        public void append(Random random, StringBuilder out) {
            parts.forEach(part -> part.append(random, out));
        }
    }

    private record Alternation(List<Node> options) implements Node {
        @Override
        public void append(Random random, StringBuilder out) {
            options.get(random.nextInt(options.size())).append(random, out);
        }
    }

    private record Repeat(Node node, int min, int max) implements Node {
        @Override
        public void append(Random random, StringBuilder out) {
            int times = min + random.nextInt(max - min + 1);
            for (int i = 0; i < times; i++) {
                node.append(random, out);
            }
        }
    }

    /** Recursive descent over the pattern text. */
    private static final class Parser {
        private static final String PRINTABLE = printable();
        private final String text;
        private int position;

        Parser(String text) {
            this.text = text;
        }

        Node parseWhole() {
            if (peek('^')) {
                position++;
            }
            Node node = alternation();
            if (peek('$')) {
                position++;
            }
            if (position != text.length()) {
                throw unsupported("unexpected '" + text.charAt(position) + "'");
            }
            return node;
        }

        private Node alternation() {
            List<Node> options = new ArrayList<>();
            options.add(sequence());
            while (peek('|')) {
                position++;
                options.add(sequence());
            }
            return options.size() == 1 ? options.get(0) : new Alternation(options);
        }

        private Node sequence() {
            List<Node> parts = new ArrayList<>();
            while (position < text.length() && !peek('|') && !peek(')') && !(peek('$') && position == text.length() - 1)) {
                parts.add(quantified(atom()));
            }
            return new Sequence(parts);
        }

        private Node atom() {
            char c = text.charAt(position++);
            return switch (c) {
                case '(' -> {
                    if (peek('?')) {
                        if (position + 1 < text.length() && text.charAt(position + 1) == ':') {
                            position += 2;
                        } else {
                            throw unsupported("look-around and flags");
                        }
                    }
                    Node inner = alternation();
                    expect(')');
                    yield inner;
                }
                case '[' -> characterClass();
                case '.' -> new Chars(PRINTABLE.toCharArray());
                case '\\' -> escape();
                case '*', '+', '?', '{' -> throw unsupported("quantifier '" + c + "' without anything to repeat");
                default -> new Chars(new char[] {c});
            };
        }

        private Node escape() {
            if (position >= text.length()) {
                throw unsupported("trailing backslash");
            }
            char c = text.charAt(position++);
            return switch (c) {
                case 'd' -> new Chars(range('0', '9'));
                case 'w' -> new Chars(("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_").toCharArray());
                case 's' -> new Chars(new char[] {' '});
                case 't' -> new Chars(new char[] {'\t'});
                case 'n' -> new Chars(new char[] {'\n'});
                default -> {
                    if (Character.isLetterOrDigit(c)) {
                        throw unsupported("escape \\" + c);
                    }
                    yield new Chars(new char[] {c});
                }
            };
        }

        private Node characterClass() {
            boolean negated = peek('^');
            if (negated) {
                position++;
            }
            BitSet members = new BitSet(128);
            boolean first = true;
            while (position < text.length() && (first || !peek(']'))) {
                first = false;
                char from = classChar(members);
                if (from == 0) {
                    continue;
                }
                if (peek('-') && position + 1 < text.length() && text.charAt(position + 1) != ']') {
                    position++;
                    char to = classChar(null);
                    if (to < from) {
                        throw unsupported("range " + from + "-" + to);
                    }
                    members.set(from, to + 1);
                } else {
                    members.set(from);
                }
            }
            expect(']');
            StringBuilder choices = new StringBuilder();
            for (char c : PRINTABLE.toCharArray()) {
                if (members.get(c) != negated) {
                    choices.append(c);
                }
            }
            if (!negated) {
                members.stream().filter(c -> c >= 128).forEach(c -> choices.append((char) c));
            }
            if (choices.isEmpty()) {
                throw unsupported("empty character class");
            }
            return new Chars(choices.toString().toCharArray());
        }

        /** One member of a class; for \d, \w, \s adds them to {@code members} and returns 0. */
        private char classChar(BitSet members) {
            char c = text.charAt(position++);
            if (c != '\\') {
                return c;
            }
            char escaped = text.charAt(position++);
            if (members != null && (escaped == 'd' || escaped == 'w' || escaped == 's')) {
                String set = switch (escaped) {
                    case 'd' -> "0123456789";
                    case 'w' -> "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
                    default -> " ";
                };
                set.chars().forEach(members::set);
                return 0;
            }
            if (Character.isLetterOrDigit(escaped)) {
                throw unsupported("escape \\" + escaped + " in a character class");
            }
            return escaped;
        }

        private Node quantified(Node atom) {
            if (position >= text.length()) {
                return atom;
            }
            char c = text.charAt(position);
            Node node = switch (c) {
                case '?' -> new Repeat(atom, 0, 1);
                case '*' -> new Repeat(atom, 0, UNBOUNDED_EXTRA);
                case '+' -> new Repeat(atom, 1, 1 + UNBOUNDED_EXTRA);
                case '{' -> bounds(atom);
                default -> null;
            };
            if (node == null) {
                return atom;
            }
            if (c != '{') {
                position++;
            }
            if (peek('?') || peek('+')) {
                position++;
            }
            return node;
        }

        private Node bounds(Node atom) {
            int close = text.indexOf('}', position);
            if (close < 0) {
                throw unsupported("unclosed {");
            }
            String[] parts = text.substring(position + 1, close).split(",", -1);
            position = close + 1;
            try {
                int min = Integer.parseInt(parts[0].trim());
                int max = parts.length == 1 ? min
                        : parts[1].isBlank() ? min + UNBOUNDED_EXTRA : Integer.parseInt(parts[1].trim());
                return new Repeat(atom, min, max);
            } catch (NumberFormatException e) {
                throw unsupported("quantifier {" + String.join(",", parts) + "}");
            }
        }

        private boolean peek(char c) {
            return position < text.length() && text.charAt(position) == c;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw unsupported("expected '" + c + "' at position " + position);
            }
            position++;
        }

        private IllegalArgumentException unsupported(String what) {
            return new IllegalArgumentException("pattern /" + text + "/: cannot generate values for it (" + what + ")");
        }

        private static char[] range(char from, char to) {
            char[] chars = new char[to - from + 1];
            for (char c = from; c <= to; c++) {
                chars[c - from] = c;
            }
            return chars;
        }

        private static String printable() {
            StringBuilder chars = new StringBuilder();
            for (char c = 0x20; c < 0x7f; c++) {
                chars.append(c);
            }
            return chars.toString();
        }
    }
}
