package dev.lakehouse.distilld;

import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * An evidence record with its category, the reasons for it, its source class, and whether it may
 * ever become SFT data ({@code never_sft}: personal data, a final output that failed validation, a
 * flagged provider — the exporters refuse it, {@link Firewall}).
 */
record Scored(Evidence evidence, Category category, SourceClass sourceClass, List<String> reasons, boolean neverSft) {
    /** What became of the unit of work. */
    public enum Category {
        ACCEPTED, CORRECTED, FAILED, REJECTED, PII, FLAGGED;

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The eight kinds of SFT sample (docs/distilld.md has a template and an example of each). */
    public enum SourceClass {
        CHAT_ANSWER, FILL_GENERATION, EMAIL_DRAFTING, FILL_VALIDATION, EMAIL_VALIDATION, RETRIEVAL_ANSWER, PLAYBOOK_RECALL,
        CLAIM_RECONCILIATION;

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
