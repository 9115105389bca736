package dev.lakehouse.common;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * A daemon's one erasure route (docs/privacy.md, "Erasure"), registered with {@link DaemonServer.Builder#erasures}:
 * reads an {@link ErasureRequest}, runs the daemon's purge, then proves it with an {@link ErasureScan} of the daemon's
 * whole data directory. The answer is the purge's own counts with {@code "daemon"} and {@code "scan"} added; it never
 * holds an identifier, and neither does the log line. Running it again is safe: a purge finds nothing the second time.
 */
public final class ErasureRoute implements Handler {
    private static final Logger LOG = Logger.getLogger(ErasureRoute.class.getName());

    /** What the daemon does to forget the subject; returns what it removed (any record Jackson writes as an object). */
    @FunctionalInterface
    public interface Purge {
        Object purge(ErasureRequest request) throws IOException;
    }

    private final String daemon;
    private final java.util.List<Path> roots;
    private final Purge purge;
    private final Function<Path, Optional<String>> decode;

    ErasureRoute(String daemon, java.util.List<Path> roots, Purge purge, Function<Path, Optional<String>> decode) {
        this.daemon = daemon;
        this.roots = java.util.List.copyOf(roots);
        this.purge = purge;
        this.decode = decode;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) throws IOException {
        ErasureRequest e = Json.read(req, ErasureRequest.class);
        long t0 = System.nanoTime();
        Object removed = purge.purge(e);
        long purgeMs = (System.nanoTime() - t0) / 1_000_000;
        ErasureScan.Report scan = ErasureScan.Report.EMPTY;
        for (Path root : roots) {
            scan = scan.plus(ErasureScan.scan(root, e.identifiers(), decode));
        }
        ObjectNode out = Json.mapper().valueToTree(removed);
        out.put("erasure_id", e.erasureId()).put("daemon", daemon).put("purge_ms", purgeMs);
        out.set("scan", Json.mapper().valueToTree(scan));
        LOG.info("erasure " + e.erasureId() + ": purged in " + purgeMs + " ms; scan of " + scan.files() + " files, " + scan.bytes()
                + " bytes: " + scan.matches() + " matches");
        Json.send(res, 200, out);
    }
}
