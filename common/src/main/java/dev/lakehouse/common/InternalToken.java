package dev.lakehouse.common;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The stack's daemon-to-daemon secret (DESIGN.md §7), read from the file {@code LAKEHOUSE_INTERNAL_TOKEN_FILE} names:
 * one line of at least 32 printable characters (what {@code bin/lakehouse up} writes: 64 hex digits). Every daemon but
 * the gateway that has one requires it in {@value #HEADER} on every route but {@code /health}, {@code /ready} and
 * {@code /metrics}; peer clients send it. Compared in constant time (SHA-256 of both sides, then
 * {@link MessageDigest#isEqual}), so neither the content nor the length leaks through timing; never logged, never in
 * {@link #toString()}.
 */
public final class InternalToken {
    private static final Logger LOG = Logger.getLogger(InternalToken.class.getName());
    public static final String VARIABLE = "LAKEHOUSE_INTERNAL_TOKEN_FILE";
    public static final String HEADER = "X-Lakehouse-Internal-Token";
    static final int MIN_LENGTH = 32;
    static final int MAX_LENGTH = 1024;

    private final String value;
    private final byte[] digest;

    private InternalToken(String value) {
        this.value = value;
        this.digest = sha256(value.getBytes(StandardCharsets.UTF_8));
    }

    /** The token of the file {@value #VARIABLE} names, or empty when it is unset; a bad file fails start-up. */
    public static Optional<InternalToken> load(EnvConfig env) {
        Optional<String> file = env.get(VARIABLE);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(read(Path.of(file.get())));
    }

    /** The token in {@code file}; a {@link ConfigException} naming the variable (never the content) when unusable. */
    public static InternalToken read(Path file) {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_LENGTH + 2) {
                throw new ConfigException(VARIABLE + ": " + file.getFileName() + " is longer than a token (" + MAX_LENGTH + " characters at most)");
            }
            bytes = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ConfigException(VARIABLE + ": no file " + file.getFileName() + " (bin/lakehouse up makes one; "
                    + "in a cluster it is the Secret lakehouse-internal mounted as a file)");
        } catch (IOException e) {
            throw new ConfigException(VARIABLE + ": " + file.getFileName() + " is unreadable (" + e.getClass().getSimpleName() + ")");
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        String token = text.endsWith("\r\n") ? text.substring(0, text.length() - 2) : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        if (token.length() < MIN_LENGTH) {
            throw new ConfigException(VARIABLE + ": the token in " + file.getFileName() + " has " + token.length() + " characters; "
                    + "it needs " + MIN_LENGTH + " or more (openssl rand -hex 32)");
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw new ConfigException(VARIABLE + ": the token in " + file.getFileName() + " holds a space, a control character or a "
                        + "non-ASCII character at position " + i + "; one line of printable ASCII");
            }
        }
        warnWhenShared(file);
        Redact.register(token);   // no log line or problem body can show it, whatever path it took
        return new InternalToken(token);
    }

    private static void warnWhenShared(Path file) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            // its group may read it (a Kubernetes Secret volume is the pod's fsGroup's), others never should
            if (p.contains(PosixFilePermission.OTHERS_READ)) {
                LOG.warning(VARIABLE + ": " + file.getFileName() + " is readable by every user of this machine (" + java.nio.file.attribute
                        .PosixFilePermissions.toString(p) + "); chmod 600 it");
            }
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system, or the mode is unreadable: nothing to warn about that can be checked
        }
    }

    /** A token made in a test or by the stack's start (64 hex digits from a SecureRandom). */
    public static InternalToken generate() {
        byte[] b = new byte[32];
        new java.security.SecureRandom().nextBytes(b);
        return new InternalToken(java.util.HexFormat.of().formatHex(b));
    }

    /** Whether a presented header value is this token; a null or empty one is not. Constant time in both. */
    public boolean matches(String presented) {
        if (presented == null || presented.isEmpty()) {
            return false;
        }
        return MessageDigest.isEqual(digest, sha256(presented.getBytes(StandardCharsets.UTF_8)));
    }

    /** The value to send in {@value #HEADER}; for peer clients only. */
    public String value() {
        return value;
    }

    @Override
    public String toString() {
        return "InternalToken[redacted]";
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
