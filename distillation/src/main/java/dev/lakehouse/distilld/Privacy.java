package dev.lakehouse.distilld;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.privacy.ContactDirectory;
import dev.lakehouse.privacy.Finding;
import dev.lakehouse.privacy.Masker;
import dev.lakehouse.privacy.PiiDetector;
import dev.lakehouse.privacy.PiiType;
import dev.lakehouse.privacy.RosterContacts;

/**
 * What one run knows of personal data (docs/privacy.md): the privacy library's detector and masker over the roster's
 * contacts, read once at the run's start from {@code LAKEHOUSE_ROSTER} (so a roster that changed between runs is the
 * new one). Without a roster file, only the shapes of identifiers are found, and the summary says so.
 */
final class Privacy {
    private final PiiDetector detector;
    private final Masker masker;
    private final int rosterWorkers;

    private Privacy(ContactDirectory contacts, int rosterWorkers) {
        this.detector = new PiiDetector(contacts);
        this.masker = new Masker(detector);
        this.rosterWorkers = rosterWorkers;
    }

    /** Shapes only: no roster. */
    static final Privacy NO_ROSTER = new Privacy(ContactDirectory.EMPTY, -1);

    /** The detector over this roster file's contacts; none when the path is null or the file absent. */
    static Privacy load(Path roster) throws IOException {
        if (roster == null || !Files.isRegularFile(roster)) {
            return NO_ROSTER;
        }
        RosterContacts contacts = RosterContacts.load(roster);
        return new Privacy(contacts, contacts.size());
    }

    /** The privacy of a finished run: its summary's roster (the file as it is now), or shapes only. */
    static Privacy ofRun(Path runDir) throws IOException {
        Path summary = runDir.resolve("summary.json");
        String roster = Files.exists(summary)
                ? dev.lakehouse.common.Json.mapper().readTree(Files.readAllBytes(summary)).path("inputs").path("roster").asText(null) : null;
        return load(roster == null ? null : Path.of(roster));
    }

    PiiDetector detector() {
        return detector;
    }

    Masker masker() {
        return masker;
    }

    /** Workers whose contacts are known, or -1 when the run had no roster. */
    int rosterWorkers() {
        return rosterWorkers;
    }

    /**
     * The kinds of identifier anywhere in a record: every text and number, read with its field's name before it (so
     * {@code {"ssn": 219099999}} is read as "ssn: 219099999" and its cue is seen).
     */
    Set<PiiType> typesIn(JsonNode node) {
        Set<PiiType> out = EnumSet.noneOf(PiiType.class);
        anyText(null, node, text -> {
            for (Finding f : detector.find(text)) {
                out.add(f.type());
            }
            return false;
        });
        return out;
    }

    /** Whether a record holds an identifier of {@code type} anywhere, read as {@link #typesIn} reads it; stops at the first. */
    boolean holds(JsonNode node, PiiType type) {
        return anyText(null, node, text -> detector.contains(text, type));
    }

    /**
     * Whether {@code test} holds for any text of a record — every text and number, with its field's name before it —
     * stopping at the first that does.
     */
    private static boolean anyText(String name, JsonNode node, java.util.function.Predicate<String> test) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (anyText(e.getKey(), e.getValue(), test)) {
                    return true;
                }
            }
            return false;
        }
        if (node.isArray()) {
            for (JsonNode n : node) {
                if (anyText(name, n, test)) {
                    return true;
                }
            }
            return false;
        }
        return (node.isTextual() || node.isNumber()) && test.test((name == null ? "" : name.replace('_', ' ') + ": ") + node.asText());
    }
}
