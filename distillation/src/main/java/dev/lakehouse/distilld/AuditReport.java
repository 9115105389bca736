package dev.lakehouse.distilld;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * An audit's report: what a finished audit answers and its {@code report.json} holds, contract
 * docs/schemas/audit_report.schema.json. {@code passed} when no phase failed.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AuditReport(String id, String run, String runDir, String startedAt, String finishedAt, boolean passed,
                          List<Audit.Phase> phases, List<Acceptance.Outcome> invariants) {
}
