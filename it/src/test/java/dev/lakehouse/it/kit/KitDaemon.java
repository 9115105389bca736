package dev.lakehouse.it.kit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.FieldError;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.Observer;
import dev.lakehouse.common.Routes;
import io.helidon.http.Method;

/**
 * A test-only daemon built from nothing but the kit, so the kit can be proven
 * over real HTTP in a real process before any production daemon exists.
 * <pre>
 * POST /v1/things        {"things":[{"id":"a","vector":[1.0],"count":1}]} → {"stored":1}
 * GET  /v1/things/{id}
 * GET  /v1/slow?ms=500   answers after a delay (for graceful-stop tests)
 * POST /v1/emit          {"count":n,"tag":"t"} records n observations of kind kit.emit → {"emitted":n,"max_observe_micros":…}
 * GET  /v1/observer      {"pending":n}: observations not yet acknowledged by observerd
 * </pre>
 * Its stop hook writes {@code <data dir>/flushed} with the number of things held.
 */
public final class KitDaemon {
    record Thing(String id, float[] vector, int count) {
        Thing {
            FieldError.required(id, "id");
            FieldError.required(vector, "vector");
            FieldError.check(count >= 0, "count", "must be >= 0");
        }
    }

    record PutThings(List<Thing> things) {
        PutThings {
            FieldError.required(things, "things");
            FieldError.check(!things.isEmpty(), "things", "must not be empty");
        }
    }

    record Emit(int count, String tag) {
        Emit {
            FieldError.check(count >= 1 && count <= 10_000, "count", "must be from 1 to 10000");
            FieldError.required(tag, "tag");
        }
    }

    private static final Logger LOG = Logger.getLogger(KitDaemon.class.getName());

    private KitDaemon() {
    }

    public static void main(String[] args) {
        EnvConfig env = EnvConfig.fromEnvironment();
        Map<String, Thing> things = new ConcurrentHashMap<>();
        Path dataDir = env.dataDir("kitd");
        DaemonServer.Builder builder = DaemonServer.builder("kitd", env, 4299);
        Observer observer = Observer.create("kitd", env, dataDir, builder.metrics().registry());
        builder.maxBodyBytes(64 * 1024)
                .routing(r -> r
                        .post("/v1/things", (req, res) -> {
                            PutThings body = Json.read(req, PutThings.class);
                            body.things().forEach(t -> things.put(t.id(), t));
                            Json.send(res, 200, Map.of("stored", body.things().size()));
                        })
                        .get("/v1/things/{id}", (req, res) -> {
                            String id = req.path().pathParameters().get("id");
                            Thing t = things.get(id);
                            if (t == null) {
                                throw new ApiException.NotFound("no_such_thing", "thing " + id + " does not exist");
                            }
                            Json.send(res, 200, t);
                        })
                        .get("/v1/slow", (req, res) -> {
                            LOG.info("slow request started");
                            Thread.sleep(Long.parseLong(req.query().first("ms").orElse("500")));
                            Json.send(res, 200, Map.of("slept", true));
                        })
                        .post("/v1/emit", (req, res) -> {
                            Emit emit = Json.read(req, Emit.class);
                            long worst = 0;
                            for (int i = 0; i < emit.count(); i++) {
                                long start = System.nanoTime();
                                observer.observe("kit.emit", Map.of("tag", emit.tag(), "i", i));
                                worst = Math.max(worst, System.nanoTime() - start);
                            }
                            Json.send(res, 200, Map.of("emitted", emit.count(), "max_observe_micros", worst / 1000));
                        })
                        .get("/v1/observer", (req, res) -> Json.send(res, 200, Map.of("pending", observer.pending())))
                        .update(rules -> {
                            Routes.allow(rules, "/v1/things", Method.POST);
                            Routes.allow(rules, "/v1/things/{id}", Method.GET);
                        }))
                .onStop("observer", observer::close)
                .onStop("flush", () -> {
                    try {
                        Files.createDirectories(dataDir);
                        Files.writeString(dataDir.resolve("flushed"), Integer.toString(things.size()));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .start();
    }
}
