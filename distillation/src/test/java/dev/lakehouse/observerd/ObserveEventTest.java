package dev.lakehouse.observerd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.Json;
import org.junit.jupiter.api.Test;

/**
 * {@link ObserveEvent#fromTree} (the materializer's way in, without a copy of the payload) against Jackson's databind as
 * the oracle ({@code Json.convert}, the way every other event is read): on every tree it answers, the same event; on
 * none that the oracle refuses; and the plain stored events — the ones a day file is made of — all through it.
 */
class ObserveEventTest {
    private static final JsonNodeFactory N = JsonNodeFactory.instance;

    /** What a member may be in the corpus: the right kinds with good and bad values, and every wrong kind. */
    private static final List<JsonNode> TEXTS = List.of(N.textNode("evt-1"), N.textNode(""), N.textNode("a b"), N.textNode("x".repeat(129)),
            N.textNode("x".repeat(128)), N.textNode("chat.call"), N.textNode("Chat"), N.textNode("req:1\u0000"), N.nullNode(), N.numberNode(7),
            N.numberNode(1.5), N.booleanNode(true), N.objectNode(), N.arrayNode().add("evt-1"));
    private static final List<JsonNode> TIMES = List.of(N.textNode("2026-11-22T21:00:00Z"), N.textNode("2026-11-22T23:00:00.5+02:00"),
            N.textNode("2026-11-22T21:00:00.123456789Z"), N.textNode("2026-11-22t21:00:00z"), N.textNode("2026-11-22T21:00:00"),
            N.textNode("2026-02-30T21:00:00Z"), N.textNode("26-11-22T21:00:00Z"), N.textNode("2026-11-22T21:00:00Z" + "0".repeat(60)),
            N.nullNode(), N.numberNode(1_700_000_000L), N.booleanNode(false), N.objectNode());
    private static final List<JsonNode> PAYLOADS = List.of(N.objectNode().put("provider", "ollama").put("output", "hi"),
            N.objectNode(), N.objectNode().set("nested", N.arrayNode().add(1).add(N.nullNode()).add(2.5e300)), N.nullNode(),
            N.arrayNode(), N.textNode("{}"), N.numberNode(1), N.booleanNode(true));
    private static final List<JsonNode> SHADOWS = List.of(N.booleanNode(true), N.booleanNode(false), N.nullNode(), N.textNode("true"),
            N.numberNode(1), N.objectNode());
    private static final List<String> NAMES = List.of("event_id", "ts", "kind", "daemon", "request_id", "payload", "shadow");

    @Test
    void everyEventItBuilds_isTheEventJacksonBuilds_andItBuildsNoneJacksonRefuses() {
        Random r = new Random(20261208);
        int built = 0;
        int refused = 0;
        for (int i = 0; i < 30_000; i++) {
            ObjectNode tree = N.objectNode();
            for (String name : NAMES) {
                if (r.nextInt(6) == 0) {
                    continue;   // missing
                }
                List<JsonNode> pool = switch (name) {
                    case "ts" -> TIMES;
                    case "payload" -> PAYLOADS;
                    case "shadow" -> SHADOWS;
                    default -> TEXTS;
                };
                // mostly the member's good form, so that many trees are whole events
                tree.set(name, r.nextInt(3) > 0 ? good(name) : pool.get(r.nextInt(pool.size())).deepCopy());
            }
            if (r.nextInt(20) == 0) {
                tree.put(r.nextBoolean() ? "received_at" : "eventId", "2026-11-22T21:00:00Z");   // a member no event has
            }
            ObserveEvent oracle;
            try {
                oracle = Json.convert(tree.deepCopy(), ObserveEvent.class, "event");
            } catch (ApiException bad) {
                oracle = null;
            }
            ObserveEvent fast = ObserveEvent.fromTree(tree);
            if (fast != null) {
                built++;
                assertThat(oracle).as("a tree Jackson refuses: %s", tree).isNotNull();
                assertThat(fast).as("tree %s", tree).isEqualTo(oracle);
                if (tree.path("payload").isObject()) {
                    assertThat(fast.payload()).as("the tree's own payload, not a copy").isSameAs(tree.get("payload"));
                }
            } else if (oracle == null) {
                refused++;
            }
        }
        assertThat(built).as("trees it built").isGreaterThan(3_000);
        assertThat(refused).as("trees both refused").isGreaterThan(3_000);
    }

    @Test
    void theEventsObserverdStores_allGoThroughIt() {
        List<ObjectNode> stored = new ArrayList<>();
        stored.add(N.objectNode().put("event_id", "e1").put("ts", "2026-11-22T21:00:00Z").put("kind", "chat.call"));
        stored.add(N.objectNode().put("event_id", "e2").put("ts", "2026-11-22T21:00:00.120Z").put("kind", "validate").put("daemon", "validatord")
                .put("request_id", "r-1").set("payload", N.objectNode().put("valid", true)));
        stored.add((ObjectNode) N.objectNode().put("event_id", "e3").put("ts", "2026-11-22T21:00:00Z").put("kind", "retrieve")
                .put("shadow", true).set("payload", N.objectNode()));
        stored.add(N.objectNode().put("event_id", "e4").put("ts", "2026-11-22T21:00:00Z").put("kind", "chat.call").putNull("request_id")
                .putNull("payload"));
        for (ObjectNode tree : stored) {
            assertThat(ObserveEvent.fromTree(tree)).as("%s", tree).isNotNull().isEqualTo(Json.convert(tree, ObserveEvent.class, "event"));
        }
    }

    private static JsonNode good(String name) {
        return switch (name) {
            case "event_id" -> N.textNode("evt-" + name.length());
            case "ts" -> N.textNode("2026-11-22T21:00:00.250Z");
            case "kind" -> N.textNode("chat.call");
            case "daemon" -> N.textNode("chatd");
            case "request_id" -> N.textNode("req-1");
            case "payload" -> N.objectNode().put("output", "hello").set("usage", N.objectNode().put("tokens", 12));
            default -> N.booleanNode(true);
        };
    }
}
