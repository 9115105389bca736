package dev.lakehouse.common;

import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.NotFoundException;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.ErrorHandler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The one place where failures become problem+json. As a routing
 * {@link ErrorHandler} it maps {@link ApiException}s, Helidon's own HTTP
 * exceptions (no route → 404) and anything unexpected (→ 500 {@code internal},
 * logged with its stack trace, never shown to the caller). As a
 * {@link DirectHandler} it renders what Helidon rejects before routing: a body
 * over the limit (413), oversized headers (431), unparseable requests (400).
 * 4xx are logged at DEBUG without a trace; 500 at ERROR with one; 502/503/504
 * (a dependency failed) at WARN in one line.
 */
record ErrorMapper(String daemon, long maxBodyBytes) implements ErrorHandler<Throwable>, DirectHandler {
    private static final Logger LOG = Logger.getLogger(ErrorMapper.class.getName());

    @Override
    public void handle(ServerRequest req, ServerResponse res, Throwable error) {
        String requestId = RequestContext.currentId().orElseGet(RequestContext::newId);
        Problem problem = toProblem(req, error, requestId);
        if (error instanceof ApiException api) {
            api.headers().forEach(res::header);
            if (!api.extensions().isEmpty()) {
                problem = problem.withExtensions(api.extensions());
            }
        }
        if (problem.status() == 500) {
            LOG.log(Level.SEVERE, req.prologue().method().text() + " " + req.prologue().uriPath().rawPath() + " failed: "
                    + problem.detail(), error);
        } else if (problem.status() > 500) {
            // a dead or failing dependency, not a bug here: one line, no stack trace
            LOG.warning(req.prologue().method().text() + " " + req.prologue().uriPath().rawPath() + " " + problem.status() + " "
                    + problem.code() + ": " + problem.detail());
        } else if (LOG.isLoggable(Level.FINE)) {
            LOG.fine(problem.status() + " " + problem.code() + ": " + problem.detail());
        }
        res.status(Status.create(problem.status()));
        res.header(HeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE);
        res.header(KitFilter.REQUEST_ID, requestId);
        res.send(problem.toBytes());
    }

    private Problem toProblem(ServerRequest req, Throwable error, String requestId) {
        return switch (error) {
            case ApiException.UpstreamFailed e -> Problem.of(e.status(), e.code(), e.detail(), daemon, requestId, e.peer());
            case ApiException.Unavailable e -> Problem.of(e.status(), e.code(), e.detail(), daemon, requestId, e.peer());
            case ApiException e -> Problem.of(e.status(), e.code(), e.detail(), daemon, requestId, null);
            case FieldError e -> Problem.of(400, e.code(), e.field() + ": " + e.getMessage(), daemon, requestId, null);
            case NotFoundException e -> Problem.of(404, "not_found", "no route for " + req.prologue().method().text()
                    + " " + req.prologue().uriPath().rawPath(), daemon, requestId, null);
            case HttpException e when e.status().code() < 500 -> Problem.of(e.status().code(),
                    Problem.codeFor(e.status().code()), e.getMessage(), daemon, requestId, null);
            default -> Problem.of(500, "internal", "internal error; see the " + daemon + " log for request "
                    + requestId, daemon, requestId, null);
        };
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status defaultStatus,
                                    ServerResponseHeaders responseHeaders, String message) {
        int status = defaultStatus.code();
        String requestId = request.headers().first(KitFilter.REQUEST_ID)
                .map(RequestContext::acceptOrGenerate).orElseGet(RequestContext::newId);
        String detail = switch (status) {
            case 413 -> "request body is larger than the limit of " + maxBodyBytes + " bytes";
            case 431 -> "request headers are too large";
            case 500 -> "internal error; see the " + daemon + " log for request " + requestId;
            default -> message == null || message.isBlank() ? defaultStatus.reasonPhrase() : message;
        };
        if (status >= 500) {
            LOG.log(Level.SEVERE, "request failed before routing: " + eventType + " " + message);
        }
        Problem problem = Problem.of(status, Problem.codeFor(status), detail, daemon, requestId, null);
        Logs.access(request.method(), Routes.withoutQuery(request.path()), status, 0);
        responseHeaders.set(HeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE);
        responseHeaders.set(KitFilter.REQUEST_ID, requestId);
        return TransportResponse.builder()
                .status(defaultStatus)
                .headers(responseHeaders)
                .entity(problem.toBytes())
                .build();
    }
}
