package dev.lakehouse.validatord;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * Each replica's own copy of the roster, from object storage (an S3/GCS/MinIO object URL, presigned or public inside
 * the cluster, or any HTTP server): fetched at start into the roster's path before it is loaded, so replicas share no
 * volume (issue 31: two replicas on one ReadWriteOnce claim could not both attach). Written to a temporary file and
 * moved into place only when whole; at most {@code maxBytes}; redirects not followed; a failure keeps the file already
 * there, if any.
 */
final class RosterFetch {
    private final URI url;
    private final long maxBytes;
    private final Duration timeout;

    RosterFetch(URI url, long maxBytes, Duration timeout) {
        this.url = url;
        this.maxBytes = maxBytes;
        this.timeout = timeout;
    }

    /** The roster at {@code url} into {@code file}; an IOException saying why (status, size) without the URL's query. */
    void into(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".roster-", ".part");
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER)
                    .build();
            HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(url).timeout(timeout).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                if (r.statusCode() != 200) {
                    throw new IOException("the roster's URL (" + shown() + ") answered HTTP " + r.statusCode());
                }
                long length = r.headers().firstValueAsLong("Content-Length").orElse(-1);
                if (length > maxBytes) {
                    throw new IOException("the roster at " + shown() + " is " + length + " bytes, more than VALIDATORD_ROSTER_MAX_BYTES ("
                            + maxBytes + ")");
                }
                long n = 0;
                byte[] buf = new byte[1 << 16];
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    for (int k; (k = in.read(buf)) >= 0; ) {
                        n += k;
                        if (n > maxBytes) {
                            throw new IOException("the roster at " + shown() + " is more than VALIDATORD_ROSTER_MAX_BYTES (" + maxBytes
                                    + ") bytes");
                        }
                        out.write(buf, 0, k);
                    }
                }
                if (n == 0 || length >= 0 && n != length) {
                    throw new IOException("the roster at " + shown() + " came " + (n == 0 ? "empty" : "cut short (" + n + " of " + length
                            + " bytes)"));
                }
            }
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching the roster", e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The URL without its query (a presigned URL's signature is a secret) or user info. */
    String shown() {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "") + url.getRawPath();
    }
}
