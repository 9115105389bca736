package dev.lakehouse.chatd;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.PeerClient;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;

/**
 * One chat provider: a name, a {@link Protocol}, a base URL, an API key (or none
 * needed), and a WebClient of its own. {@link #complete} asks for a whole answer;
 * {@link #stream} asks for a stream and hands each delta on as it arrives,
 * holding the provider to a time-to-first-token and a between-chunk deadline.
 * Every failure leaves as a classified {@link ProviderError}; closing the
 * response (always, in a finally) aborts the provider's connection mid-stream.
 */
final class Provider implements Backend {
    /** What the provider says while streaming, handed on as it arrives. */
    interface Listener {
        void delta(String text);

        /** Called when the provider has been silent for the heartbeat interval (the caller may want a keep-alive). */
        void idle();
    }

    /**
     * A provider's configuration.
     *
     * @param protocol        its wire protocol; null for the in-process provider {@code local}
     * @param base            its base URL; null for {@code local}
     * @param keyEnv          the variable holding its API key, or null when it needs none (local Ollama, local)
     * @param key             the key, or null
     * @param models          models it is known to serve (for /v1/models and /v1/providers)
     * @param otherEndpoints  model-id prefixes it serves only through another endpoint, and that endpoint
     */
    record Settings(String name, Protocol protocol, URI base, String keyEnv, String key, List<String> models,
                    Map<String, String> otherEndpoints) {
        boolean hasKey() {
            return keyEnv == null || key != null && !key.isBlank();
        }

        /** Never the key itself: whether one is set, and from which variable. */
        @Override
        public String toString() {
            return "Settings[name=" + name + ", protocol=" + (protocol == null ? "llama.cpp" : protocol.name()) + ", base=" + base + ", key="
                    + (keyEnv == null ? "none needed" : keyEnv + (hasKey() ? " (set)" : " (not set)"))
                    + ", models=" + models + ", otherEndpoints=" + otherEndpoints + "]";
        }
    }

    /** The deadlines of one attempt (docs/chatd.md, failure policy). */
    record Timeouts(Duration connect, Duration request, Duration firstToken, Duration chunk, Duration streamMax,
                    Duration heartbeat) {
    }

    static final int MAX_ERROR_BODY = 64 * 1024;
    static final int MAX_ANSWER_BYTES = 32 << 20;
    static final int MAX_LINE_BYTES = 4 << 20;

    private final Settings settings;
    private final Timeouts timeouts;
    private final URI endpoint;
    private final WebClient client;

    Provider(Settings settings, Timeouts timeouts) {
        this.settings = settings;
        this.timeouts = timeouts;
        String base = settings.base().toString();
        this.endpoint = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
                + settings.protocol().path());
        this.client = PeerClient.clientBuilder(timeouts.connect()).build();
    }

    String name() {
        return settings.name();
    }

    @Override
    public Settings settings() {
        return settings;
    }

    /** Why this provider refuses a model before any call (OpenCode's models that need another endpoint), if it does. */
    @Override
    public Optional<String> refusal(String model) {
        for (Map.Entry<String, String> e : settings.otherEndpoints().entrySet()) {
            if (model.startsWith(e.getKey())) {
                return Optional.of(settings.name() + " serves model '" + model + "' only through its " + e.getValue()
                        + " endpoint, not chat completions; chatd speaks chat completions to " + settings.name()
                        + ": choose a model it serves there");
            }
        }
        return Optional.empty();
    }

    /** A whole answer. */
    @Override
    public Chat.Reply complete(Chat.Call call, String model) {
        try (HttpClientResponse r = send(call, model, false, timeouts.request())) {
            byte[] body;
            try (InputStream in = r.inputStream()) {
                body = in.readNBytes(MAX_ANSWER_BYTES);
            } catch (IOException | UncheckedIOException e) {
                throw transport(new UncheckedIOException(e instanceof IOException io ? io : new IOException(e)),
                        timeouts.request(), timeouts.request().toNanos());
            }
            if (body.length == 0) {
                throw new ProviderError(ProviderError.Kind.EMPTY, "answered " + r.status().code() + " with an empty body");
            }
            return settings.protocol().reply(body);
        }
    }

    /**
     * A streamed answer: each delta goes to the listener as it arrives; returns the
     * whole reply when the provider says it is done. Throws {@link ProviderError}
     * TIMEOUT if no token comes within the first-token timeout, no line within the
     * chunk timeout after that, or the stream outlasts its maximum. Whatever the
     * listener throws (the caller went away) propagates unchanged, after the
     * provider's connection is closed.
     */
    @Override
    public Chat.Reply stream(Chat.Call call, String model, Listener listener, long[] firstDeltaNanos) {
        // The socket's own timeout is only a backstop: the deadlines below are the policy,
        // and they cover the wait for the response headers too.
        Duration socketBackstop = max(timeouts.firstToken(), timeouts.chunk()).plusSeconds(5);
        try (LinePump pump = new LinePump(() -> send(call, model, true, socketBackstop), MAX_LINE_BYTES)) {
            Protocol.StreamState state = new Protocol.StreamState(listener::delta);
            long start = System.nanoTime();
            long lastData = start;
            long lines = 0;
            while (!state.isDone()) {
                long now = System.nanoTime();
                long deadline = Math.min(state.sawDelta() ? lastData + timeouts.chunk().toNanos()
                        : start + timeouts.firstToken().toNanos(), start + timeouts.streamMax().toNanos());
                if (now >= deadline) {
                    throw timeout(state, lines, now - start);
                }
                LinePump.Item item = pump.next(Duration.ofNanos(Math.min(deadline - now, timeouts.heartbeat().toNanos())));
                if (item == null) {
                    if (System.nanoTime() < deadline && state.sawDelta()) {
                        listener.idle();
                    }
                    continue;
                }
                if (item.isEnd()) {
                    break;
                }
                if (item.failure() instanceof ProviderError e) {
                    throw e;
                }
                if (item.failure() != null) {
                    throw new ProviderError(ProviderError.Kind.CONNECTION, null, null, "the stream broke after " + lines
                            + " lines: " + item.failure().getMessage(), item.failure());
                }
                lines++;
                if (settings.protocol().line(item.line(), state)) {
                    lastData = System.nanoTime();
                }
                if (state.sawDelta() && firstDeltaNanos[0] == 0) {
                    firstDeltaNanos[0] = state.firstDeltaNanos();
                }
            }
            if (!state.isDone() && state.finishReason() == null) {
                throw new ProviderError(ProviderError.Kind.STREAM_ERROR, "the stream ended after " + lines
                        + " lines without the provider saying it was done");
            }
            if (state.isEmpty()) {
                throw new ProviderError(ProviderError.Kind.EMPTY, "the stream finished without any content");
            }
            return state.reply();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderError(ProviderError.Kind.CONNECTION, "interrupted while reading the stream");
        }
    }

    private ProviderError timeout(Protocol.StreamState state, long lines, long elapsedNanos) {
        String what = !state.sawDelta() && elapsedNanos < timeouts.streamMax().toNanos()
                ? "no first token within " + timeouts.firstToken().toMillis() + " ms (" + lines + " lines without content)"
                : elapsedNanos >= timeouts.streamMax().toNanos()
                ? "the stream outlasted its maximum of " + timeouts.streamMax().toMillis() + " ms"
                : "no chunk within " + timeouts.chunk().toMillis() + " ms after the last one";
        return new ProviderError(ProviderError.Kind.TIMEOUT, what);
    }

    private HttpClientResponse send(Chat.Call call, String model, boolean stream, Duration readTimeout) {
        HttpClientRequest request = client.method(Method.POST).uri(endpoint).readTimeout(readTimeout)
                .header(HeaderNames.CONTENT_TYPE, "application/json")
                .header(HeaderNames.ACCEPT, stream ? settings.protocol().streamMediaType() : "application/json");
        if (settings.key() != null && !settings.key().isBlank()) {
            request.header(HeaderNames.AUTHORIZATION, "Bearer " + settings.key());
        }
        HttpClientResponse r;
        long t0 = System.nanoTime();
        try {
            r = request.submit(settings.protocol().request(call, model, stream));
        } catch (RuntimeException e) {
            throw transport(e, readTimeout, System.nanoTime() - t0);
        }
        int status = r.status().code();
        if (status >= 400) {
            try (r) {
                throw httpError(r, status);
            }
        }
        return r;
    }

    private ProviderError httpError(HttpClientResponse r, int status) {
        byte[] body;
        try (InputStream in = r.inputStream()) {
            body = in.readNBytes(MAX_ERROR_BODY);
        } catch (IOException | RuntimeException e) {
            body = new byte[0];
        }
        String text = settings.protocol().errorText(body);
        ProviderError.Kind kind = ProviderError.kindFor(status);
        if (status == 400 && text.toLowerCase(java.util.Locale.ROOT).contains("not found")) {
            kind = ProviderError.Kind.UNKNOWN_MODEL;
        }
        Duration retryAfter = r.headers().first(HeaderNames.RETRY_AFTER).map(Provider::retryAfter).orElse(null);
        return new ProviderError(kind, status, retryAfter, "HTTP " + status + ": " + text, null);
    }

    /**
     * A call that failed without an answer. A "timeout" long before the read timeout
     * (a pooled connection the provider had closed, say) is a broken connection, and
     * says what broke.
     */
    private ProviderError transport(RuntimeException e, Duration readTimeout, long elapsedNanos) {
        ApiException f = PeerClient.transportFailure(settings.name(), settings.base(), Method.POST,
                settings.protocol().path(), readTimeout, e);
        if ("peer_timeout".equals(f.code()) && elapsedNanos >= readTimeout.toNanos() / 2) {
            return new ProviderError(ProviderError.Kind.TIMEOUT, null, null, f.detail(), e);
        }
        String detail = "peer_timeout".equals(f.code()) ? settings.name() + " at " + settings.base()
                + " broke the connection after " + elapsedNanos / 1_000_000 + " ms: " + e : f.detail();
        return new ProviderError(ProviderError.Kind.CONNECTION, null, null, detail, e);
    }

    /** Retry-After as delay-seconds or an HTTP date; null when it is neither. */
    static Duration retryAfter(String value) {
        String v = value.strip();
        try {
            return Duration.ofMillis(Math.max(0, (long) (Double.parseDouble(v) * 1000)));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(java.time.Instant.now(), at.toInstant());
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
