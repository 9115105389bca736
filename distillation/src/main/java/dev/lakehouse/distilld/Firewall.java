package dev.lakehouse.distilld;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.privacy.Masker;

/**
 * The SFT-never firewall and the masking of every export, in one place (docs/distilld.md, docs/privacy.md). A record
 * scored never-SFT (an SSN anywhere in it, a failed or cut answer, a flagged provider) does not become an SFT sample,
 * whatever template made it. Every text of every export — SFT samples, RAG queries, passages and chunks, preference
 * prompts and answers — goes through one masker {@link Masker.Session} per sample, so phone numbers and e-mail
 * addresses (a roster worker's included) become {@code [PHONE_n]}/{@code [EMAIL_n]}, the same value the same
 * placeholder within the sample, and any SSN left {@code [SSN]}.
 */
final class Firewall {
    private Firewall() {
    }

    /** Whether a sample of this record may go into an SFT file at all. */
    static boolean sft(Scored s) {
        return !s.neverSft();
    }

    /** The messages with every {@code content} masked through the sample's session, in place. */
    static ArrayNode mask(ArrayNode messages, Masker.Session session) {
        messages.forEach(m -> {
            if (m.path("content").isTextual()) {
                ((ObjectNode) m).put("content", session.mask(m.path("content").asText()));
            }
        });
        return messages;
    }
}
