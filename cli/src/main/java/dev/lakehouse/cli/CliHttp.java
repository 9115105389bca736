package dev.lakehouse.cli;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * The CLI's one HTTP client, made on first use: building it initializes TLS (a third of
 * the CLI's start), which commands that call no daemon — {@code --help}, {@code up},
 * {@code down}, {@code render} — should not pay. Static fields in the command classes
 * made it for every command, since picocli instantiates them all.
 */
final class CliHttp {
    private CliHttp() {
    }

    private static final class Holder {
        static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    static HttpClient client() {
        return Holder.CLIENT;
    }
}
