package dev.lakehouse.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.lakehouse.common.ConfigException;
import dev.lakehouse.common.Redact;

/**
 * The API keys of {@code LAKEHOUSE_API_KEYS_FILE}: one per line,
 * {@code name:key[:scope,scope…]}; no scopes or {@code *} means all but {@code privacy}, which a key must name. Blank
 * lines and lines starting with {@code #} are skipped. Keys are held only as
 * SHA-256 digests, looked up by digest and confirmed with a constant-time
 * comparison; they never appear in logs or errors (a caller is named by its key's name).
 */
final class ApiKeys {
    /** One key's name and the scopes it may use. */
    record Caller(String name, Set<String> scopes) {
        /** {@code *} is every scope but {@code privacy}: a key that may erase people says so by name. */
        boolean allows(String scope) {
            return scopes.contains(scope) || (scopes.contains("*") && !scope.equals("privacy"));
        }
    }

    private final Map<String, Map.Entry<byte[], Caller>> byDigest;

    private ApiKeys(Map<String, Map.Entry<byte[], Caller>> byDigest) {
        this.byDigest = byDigest;
    }

    /** A keys file every user of the machine can read is used, with a warning (its group may: a Secret volume's is the pod's). */
    static boolean warnWhenOthersRead(Path file) {
        try {
            var p = Files.getPosixFilePermissions(file);
            if (p.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
                java.util.logging.Logger.getLogger(ApiKeys.class.getName()).warning("LAKEHOUSE_API_KEYS_FILE " + file.getFileName()
                        + " is readable by every user of this machine (" + java.nio.file.attribute.PosixFilePermissions.toString(p)
                        + "); chmod 640 it");
                return true;
            }
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system, or the mode is unreadable: nothing that can be checked
        }
        return false;
    }

    static ApiKeys load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("LAKEHOUSE_API_KEYS_FILE " + file + " cannot be read: " + e.getMessage());
        }
        warnWhenOthersRead(file);
        Map<String, Map.Entry<byte[], Caller>> keys = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split(":", -1);
            String where = "LAKEHOUSE_API_KEYS_FILE " + file + " line " + (i + 1);
            if (parts.length < 2 || parts.length > 3 || parts[0].isBlank() || parts[1].length() < 16) {
                throw new ConfigException(where + " is not name:key[:scopes] with a key of at least 16 characters");
            }
            Set<String> scopes = parts.length == 2 || parts[2].isBlank() || parts[2].strip().equals("*")
                    ? Set.of("*") : Set.of(parts[2].strip().split("\\s*,\\s*"));
            for (String scope : scopes) {
                if (!scope.equals("*") && !RouteTable.SCOPES.contains(scope)) {
                    throw new ConfigException(where + " names an unknown scope '" + scope + "'; scopes: " + RouteTable.SCOPES);
                }
            }
            Redact.register(parts[1]);
            byte[] digest = sha256(parts[1]);
            if (keys.put(HexFormat.of().formatHex(digest), Map.entry(digest, new Caller(parts[0].strip(), scopes))) != null) {
                throw new ConfigException(where + " repeats a key given on an earlier line");
            }
        }
        return new ApiKeys(Map.copyOf(keys));
    }

    int size() {
        return byDigest.size();
    }

    /** The keys' names (a budget names a key by its name). */
    Set<String> names() {
        Set<String> names = new java.util.HashSet<>();
        byDigest.values().forEach(e -> names.add(e.getValue().name()));
        return names;
    }

    /** The caller holding {@code presented}, if it is a known key. */
    Optional<Caller> find(String presented) {
        byte[] digest = sha256(presented);
        Map.Entry<byte[], Caller> entry = byDigest.get(HexFormat.of().formatHex(digest));
        if (entry == null || !MessageDigest.isEqual(entry.getKey(), digest)) {
            return Optional.empty();
        }
        return Optional.of(entry.getValue());
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
