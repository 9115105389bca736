package dev.lakehouse.validatord;

import java.util.List;

import dev.lakehouse.validatord.roster.Roster;
import dev.lakehouse.validatord.roster.TestRoster;

/** A six-worker roster around Columbus, OH, and orders against it. */
final class Fixtures {
    static final double COLUMBUS_LAT = 39.9612;
    static final double COLUMBUS_LON = -82.9988;

    static final Roster ROSTER = TestRoster.of(List.of(
            TestRoster.worker(1, "Maria", "Garcia", "forklift operator", 39.9700, -83.0100, "614-555-0101", "active"),
            TestRoster.worker(2, "John", "Smith", "warehouse associate", 39.9500, -82.9900, "614-555-0102", "active"),
            TestRoster.worker(3, "Ana", "Lopez", "picker packer", 39.9800, -82.9700, "614-555-0103", "inactive"),
            TestRoster.worker(4, "James", "Brown", "forklift operator", 41.4993, -81.6944, "216-555-0104", "active"),
            TestRoster.worker(5, "Wei", "Chen", "cdl driver", 39.9612, -82.9988, "614-555-0105", "active"),
            TestRoster.worker(7, "Priya", "Patel", "administrative assistant", 39.9612, -82.9988, "614-555-0107", "active")));

    private Fixtures() {
    }

    static ValidatordWire.Order order(String role, int headcount) {
        return new ValidatordWire.Order("O-1", role, "Columbus", "OH", COLUMBUS_LAT, COLUMBUS_LON, 25.0, headcount, 19.5);
    }

    static ValidatordWire.Fill fill(ValidatordWire.Order order, String... ids) {
        return new ValidatordWire.Fill(order, List.of(ids));
    }

    static List<String> rules(List<Violation> violations) {
        return violations.stream().map(v -> v.rule() + "@" + v.path()).toList();
    }
}
