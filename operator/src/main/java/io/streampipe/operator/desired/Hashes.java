package io.streampipe.operator.desired;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Stable digests: content hashes for "did it change?" and numeric nonces derived from the spec's tokens. */
public final class Hashes {
    private Hashes() {
    }

    /** First 16 hex digits of the SHA-256 of the text: short enough for an annotation, long enough not to collide. */
    public static String shortSha256(String text) {
        return HexFormat.of().formatHex(sha256(text), 0, 8);
    }

    /**
     * A positive number derived from a token, for the Flink operator's nonce fields (savepointTriggerNonce,
     * savepointRedeployNonce): the same token always gives the same nonce, a new token a different one.
     */
    public static long nonce(String token) {
        byte[] digest = sha256(token);
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (digest[i] & 0xff);
        }
        // 52 bits: positive, and exact even where a JSON number is read as a double.
        value >>>= 12;
        return value == 0 ? 1 : value;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
