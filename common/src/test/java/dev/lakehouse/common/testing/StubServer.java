package dev.lakehouse.common.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

/** A local HTTP server standing for a peer in a test (a daemon, a legacy stack, journald): the JDK's, on virtual threads. */
public final class StubServer {
    private StubServer() {
    }

    /** Serves every path with {@code handler} on a free loopback port. */
    public static HttpServer start(HttpHandler handler) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/", handler);
        s.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        s.start();
        return s;
    }

    /** Answers {@code status} with a JSON {@code body}. */
    public static void answer(HttpExchange x, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(status, b.length);
        x.getResponseBody().write(b);
        x.close();
    }

    public static String url(HttpServer s) {
        return "http://127.0.0.1:" + s.getAddress().getPort();
    }
}
