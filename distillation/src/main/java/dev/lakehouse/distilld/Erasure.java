package dev.lakehouse.distilld;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.AtomicFile;
import dev.lakehouse.common.FileErasure;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.SubjectIdentifiers;
import dev.lakehouse.distillation.CanonicalJson;

/**
 * distilld forgets a person (docs/privacy.md, "Erasure"): every file it keeps — each run's evidence, quarantine,
 * scored records and exports (SFT, preference, RAG), replays, audits' reports and work files, review decisions — is
 * masked in place ({@link FileErasure}: the identifiers' characters become {@code *}, lines keep their length and
 * their place). Then every run whose files changed gets its summary's SHA-256s recomputed (record counts do not
 * change) and a line in its {@code erasures.jsonl}: which erasure, when, which files — never whom. Runs while no run,
 * replay or audit runs (their callers see 409 and retry).
 */
final class Erasure {
    private Erasure() {
    }

    /** What an erasure did: lines masked, files changed, run summaries updated. */
    record Erased(long filesRead, long bytesRead, long filesChanged, long recordsMasked, long recordsUnmaskable, List<String> runsUpdated) {
    }

    /** One line of a run's {@code erasures.jsonl}. */
    record Note(String erasureId, String at, List<String> files) {
    }

    static Erased erase(Path dataDir, SubjectIdentifiers subject, String erasureId) throws IOException {
        FileErasure.Masked m = FileErasure.maskTree(dataDir, subject);
        List<String> updated = new ArrayList<>();
        Path runs = dataDir.resolve("runs");
        if (m.filesChanged() > 0 && Files.isDirectory(runs)) {
            List<Path> dirs;
            try (Stream<Path> s = Files.list(runs)) {
                dirs = s.filter(d -> Files.isRegularFile(d.resolve("summary.json"))).sorted().toList();
            }
            for (Path run : dirs) {
                if (rehash(run, erasureId)) {
                    updated.add(run.getFileName().toString());
                }
            }
        }
        return new Erased(m.files(), m.bytes(), m.filesChanged(), m.linesMasked(), m.linesUnmaskable(), updated);
    }

    /** Recomputes the SHA-256 of each file the run's summary lists; rewrites the summary and notes it if any changed. */
    private static boolean rehash(Path run, String erasureId) throws IOException {
        Path file = run.resolve("summary.json");
        ObjectNode summary = (ObjectNode) Json.mapper().readTree(Files.readAllBytes(file));
        List<String> changed = new ArrayList<>();
        rehash(run, summary.path("files"), changed);
        rehash(run, summary.path("stages").path("export").path("files"), changed);
        if (changed.isEmpty()) {
            return false;
        }
        AtomicFile.write(file, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(CanonicalJson.sorted(summary)));
        Path notes = run.resolve("erasures.jsonl");
        byte[] line = (new String(Json.bytes(new Note(erasureId, Instant.now().toString(), changed)), StandardCharsets.UTF_8) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] before = Files.exists(notes) ? Files.readAllBytes(notes) : new byte[0];
        byte[] all = new byte[before.length + line.length];
        System.arraycopy(before, 0, all, 0, before.length);
        System.arraycopy(line, 0, all, before.length, line.length);
        AtomicFile.write(notes, all);
        return true;
    }

    private static void rehash(Path run, JsonNode files, List<String> changed) throws IOException {
        if (!(files instanceof ObjectNode o)) {
            return;
        }
        for (var it = o.fields(); it.hasNext(); ) {
            var e = it.next();
            Path f = run.resolve(e.getKey()).normalize();
            if (!f.startsWith(run) || !Files.isRegularFile(f) || !(e.getValue() instanceof ObjectNode stat)) {
                continue;
            }
            String sha = sha256(f);
            if (!sha.equals(stat.path("sha256").asText())) {
                stat.put("sha256", sha);
                changed.add(e.getKey());
            }
        }
    }

    static String sha256(Path f) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(f), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
