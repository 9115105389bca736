package dev.lakehouse.chatd;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.Pair;
import de.kherud.llama.args.LogFormat;

/**
 * One GGUF model in this process, through llama.cpp's Java binding (de.kherud:llama,
 * which carries its own native library). Loaded by {@link #load} — on a background
 * thread of its owner's — into {@code READY}, or {@code UNAVAILABLE} with the reason
 * (no such file, not a GGUF file, llama.cpp refused it); never half-loaded.
 * <p>
 * {@link #generate} runs on the calling thread, which must be a platform thread:
 * the binding blocks in native code, which would pin a virtual thread's carrier.
 * Two caveats of the binding are handled here: its {@code setMessages} only feeds
 * {@code applyTemplate}, not generation, so the prompt is the model's chat template
 * applied first and then generated from; and its native server thread lives until
 * {@link #close}, which must not run while a generation does (the owner stops them first).
 */
final class LocalModel implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalModel.class.getName());

    enum State {
        LOADING, READY, UNAVAILABLE;

        @com.fasterxml.jackson.annotation.JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** What one generation gave: its text, the real token counts, and why it ended ({@code stop}, {@code length}, {@code cancelled}). */
    record Result(String text, int promptTokens, int completionTokens, String finishReason) {
    }

    private final String name;
    private final Path file;
    private volatile State state = State.LOADING;
    private volatile String reason;
    private volatile LlamaModel model;
    private volatile int context;

    LocalModel(String name, Path file) {
        this.name = name;
        this.file = file;
    }

    String name() {
        return name;
    }

    Path file() {
        return file;
    }

    State state() {
        return state;
    }

    /** Why it is unavailable, or null. */
    String reason() {
        return reason;
    }

    private static boolean loggerSet;

    /**
     * Loads the binding's native library once (extracted from its jar to {@code java.io.tmpdir}, or taken from
     * {@code -Dde.kherud.llama.lib.path}) and sends its log, which goes to stdout by default, into this JVM's
     * logging at FINE. A library that cannot load is an {@link IOException} with why, not an {@link Error}.
     */
    private static synchronized void nativeLibrary() throws IOException {
        if (loggerSet) {
            return;
        }
        try {
            LlamaModel.setLogger(LogFormat.TEXT, (level, message) -> {
                if (LOG.isLoggable(Level.FINE)) {
                    LOG.fine("llama.cpp " + level + ": " + message.strip());
                }
            });
            loggerSet = true;
        } catch (LinkageError e) {
            throw new IOException("llama.cpp's native library could not be loaded: " + e, e);
        }
    }

    /** Loads the file: READY, or UNAVAILABLE with the reason. */
    void load(int contextPerSlot, int threads, int slots) {
        try {
            checkFile(file);
            nativeLibrary();
            context = contextPerSlot;
            long start = System.nanoTime();
            model = new LlamaModel(new ModelParameters()
                    .setModel(file.toString())
                    .setCtxSize(contextPerSlot * slots)   // llama.cpp splits the context among its slots
                    .setParallel(slots)
                    .setThreads(threads)
                    .setThreadsBatch(threads)
                    .setGpuLayers(0)
                    .disableLog()           // its server's log goes to stdout, a line per request, past setLogger
                    .disableContextShift());   // an answer ends at the context's end, never runs on past it
            state = State.READY;
            LOG.info("local model " + name + " loaded from " + file.getFileName() + " in " + (System.nanoTime() - start) / 1_000_000 + " ms ("
                    + contextPerSlot + " tokens of context per request, " + slots + " at once, " + threads + " threads)");
        } catch (IOException | RuntimeException | LinkageError e) {
            reason = e instanceof IOException ? e.getMessage()
                    : "llama.cpp could not load it: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            state = State.UNAVAILABLE;
            LOG.warning("local model " + name + " is unavailable: " + reason);
        }
    }

    /** The checks llama.cpp would make less kindly: a readable regular file that starts with GGUF's magic. */
    static void checkFile(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException("no such file: " + file);
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IOException("not a readable file: " + file);
        }
        byte[] magic;
        try (InputStream in = Files.newInputStream(file)) {
            magic = in.readNBytes(4);
        }
        if (magic.length < 4 || magic[0] != 'G' || magic[1] != 'G' || magic[2] != 'U' || magic[3] != 'F') {
            throw new IOException("not a GGUF file (it does not start with 'GGUF'): " + file);
        }
    }

    /**
     * Text as native code can take it: a lone UTF-16 surrogate (which JSON allows and UTF-8 cannot encode) becomes
     * U+FFFD, as a UTF-8 encoder would make it; everything else is kept.
     */
    static String wellFormed(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
            if (Character.isSurrogate(c) && !pair) {
                if (out == null) {
                    out = new StringBuilder(s.length()).append(s, 0, i);
                }
                out.append('\uFFFD');
            } else {
                if (out != null) {
                    out.append(c);
                    if (pair) {
                        out.append(s.charAt(i + 1));
                    }
                }
                if (pair) {
                    i++;
                }
            }
        }
        return out == null ? s : out.toString();
    }

    /** The conversation as the model's own chat template writes it, ending where the assistant's answer begins. */
    String prompt(List<Chat.Message> messages) {
        StringBuilder system = new StringBuilder();
        List<Pair<String, String>> turns = new ArrayList<>();
        for (Chat.Message m : messages) {
            String content = wellFormed(m.content());
            if (m.role().equals("system")) {
                system.append(system.isEmpty() ? "" : "\n\n").append(content);
            } else {
                turns.add(new Pair<>(m.role(), content));
            }
        }
        InferenceParameters p = new InferenceParameters("").setMessages(system.isEmpty() ? null : system.toString(), turns);
        return model.applyTemplate(p);
    }

    /** Tokens of a text by the model's own tokenizer. */
    int tokens(String text) {
        return model.encode(text).length;
    }

    /**
     * Generates the answer to {@code messages} on this (platform) thread: each piece of
     * text to {@code out} as the model makes it, until the model ends, a stop sequence
     * or {@code maxTokens} is reached, or {@code cancelled} says so.
     */
    Result generate(List<Chat.Message> messages, Double temperature, int maxTokens, List<String> stop, int seed,
                    Consumer<String> out, BooleanSupplier cancelled) {
        String prompt = prompt(messages);
        int promptTokens = tokens(prompt);
        if (promptTokens >= context - 2) {
            throw new ProviderError(ProviderError.Kind.REJECTED, "the conversation is " + promptTokens + " tokens, and local model "
                    + name + " has " + context + " tokens of context per request (CHATD_LOCAL_CONTEXT): shorten it");
        }
        // max_tokens past the context would never be reached; llama.cpp ends a generation with an error one token short of it
        int limit = Math.min(maxTokens, context - promptTokens - 2);
        InferenceParameters p = new InferenceParameters(prompt).setNPredict(limit).setCachePrompt(true);
        if (temperature != null) {
            p.setTemperature(temperature.floatValue());
        }
        if (!stop.isEmpty()) {
            p.setStopStrings(stop.stream().map(LocalModel::wellFormed).toArray(String[]::new));
        }
        if (seed >= 0) {
            p.setSeed(seed);
        }
        StringBuilder text = new StringBuilder();
        int produced = 0;
        LlamaIterator it = model.generate(p).iterator();
        while (it.hasNext()) {
            if (cancelled.getAsBoolean()) {
                it.cancel();
                return new Result(text.toString(), promptTokens, produced, "cancelled");
            }
            LlamaOutput o = it.next();
            if (it.hasNext() || !o.text.isEmpty()) {   // the binding ends with one more output, the stop, empty: not a token
                produced++;
            }
            if (!o.text.isEmpty()) {
                text.append(o.text);
                out.accept(o.text);
            }
        }
        return new Result(text.toString(), promptTokens, produced, produced >= limit ? "length" : "stop");
    }

    @Override
    public void close() {
        LlamaModel m = model;
        model = null;
        if (m != null) {
            m.close();
        }
        state = State.UNAVAILABLE;
        reason = "closed";
    }
}
