package dev.lakehouse.chatd;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Writes a real GGUF file (version 3) of a llama-architecture model with random
 * weights, for tests of the local provider: llama.cpp loads it, applies its ChatML
 * chat template, tokenizes with its SentencePiece vocabulary (the three specials,
 * ChatML's two markers, 256 byte tokens and random lowercase pieces) and samples
 * from it; the text is nonsense, the code paths are the ones a real model takes.
 * {@link Shape#TINY} (1,000 tokens, 2 layers of 64) is about 600 KB; a shape like
 * SmolLM2-135M's makes a file for benchmarks. Weights are F32, or F16 ({@code half}).
 */
final class TinyGguf {
    /** A model's shape: vocabulary, embedding width, layers, feed-forward width, attention heads and key-value heads. */
    record Shape(int vocab, int embd, int layers, int ff, int heads, int kvHeads) {
        static final Shape TINY = new Shape(1000, 64, 2, 128, 4, 4);
        /** SmolLM2-135M's dimensions (its real vocabulary is a BPE one; this is the same size). */
        static final Shape SMOLLM2_135M = new Shape(49152, 576, 30, 1536, 9, 3);
    }

    static final String CHATML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content']"
            + " + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    private static final int ALIGN = 32;
    private static final int F32 = 0;
    private static final int F16 = 1;

    private record Tensor(String name, long[] dims, int count) {
    }

    private TinyGguf() {
    }

    static Path write(Path out, Shape s, long seed, boolean half) throws IOException {
        Random r = new Random(seed);
        List<String> tokens = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        piece(tokens, scores, types, seen, "<unk>", 0f, 2);
        piece(tokens, scores, types, seen, "<s>", 0f, 3);
        piece(tokens, scores, types, seen, "</s>", 0f, 3);
        piece(tokens, scores, types, seen, "<|im_start|>", 0f, 3);
        piece(tokens, scores, types, seen, "<|im_end|>", 0f, 3);
        for (int b = 0; b < 256; b++) {
            piece(tokens, scores, types, seen, String.format("<0x%02X>", b), 0f, 6);
        }
        String letters = "abcdefghijklmnopqrstuvwxyz";
        piece(tokens, scores, types, seen, "\u2581", -3f, 1);
        for (char c : letters.toCharArray()) {
            piece(tokens, scores, types, seen, String.valueOf(c), -5f, 1);
            piece(tokens, scores, types, seen, "\u2581" + c, -4f, 1);
        }
        while (tokens.size() < s.vocab()) {
            StringBuilder p = new StringBuilder(r.nextBoolean() ? "\u2581" : "");
            for (int k = 2 + r.nextInt(5); k > 0; k--) {
                p.append(letters.charAt(r.nextInt(26)));
            }
            piece(tokens, scores, types, seen, p.toString(), -6f - r.nextFloat() * 4, 1);
        }
        int headDim = s.embd() / s.heads();
        int kv = headDim * s.kvHeads();
        List<Tensor> tensors = new ArrayList<>();
        tensors.add(new Tensor("token_embd.weight", new long[] {s.embd(), s.vocab()}, s.embd() * s.vocab()));
        tensors.add(new Tensor("output_norm.weight", new long[] {s.embd()}, s.embd()));
        for (int l = 0; l < s.layers(); l++) {
            String b = "blk." + l + ".";
            tensors.add(new Tensor(b + "attn_norm.weight", new long[] {s.embd()}, s.embd()));
            tensors.add(new Tensor(b + "attn_q.weight", new long[] {s.embd(), s.embd()}, s.embd() * s.embd()));
            tensors.add(new Tensor(b + "attn_k.weight", new long[] {s.embd(), kv}, s.embd() * kv));
            tensors.add(new Tensor(b + "attn_v.weight", new long[] {s.embd(), kv}, s.embd() * kv));
            tensors.add(new Tensor(b + "attn_output.weight", new long[] {s.embd(), s.embd()}, s.embd() * s.embd()));
            tensors.add(new Tensor(b + "ffn_norm.weight", new long[] {s.embd()}, s.embd()));
            tensors.add(new Tensor(b + "ffn_gate.weight", new long[] {s.embd(), s.ff()}, s.embd() * s.ff()));
            tensors.add(new Tensor(b + "ffn_up.weight", new long[] {s.embd(), s.ff()}, s.embd() * s.ff()));
            tensors.add(new Tensor(b + "ffn_down.weight", new long[] {s.ff(), s.embd()}, s.embd() * s.ff()));
        }
        Map<String, Object> kvs = new LinkedHashMap<>();
        kvs.put("general.architecture", "llama");
        kvs.put("general.name", "lakehouse-random-" + s.layers() + "x" + s.embd());
        kvs.put("general.alignment", ALIGN);
        kvs.put("llama.context_length", 4096);
        kvs.put("llama.embedding_length", s.embd());
        kvs.put("llama.block_count", s.layers());
        kvs.put("llama.feed_forward_length", s.ff());
        kvs.put("llama.attention.head_count", s.heads());
        kvs.put("llama.attention.head_count_kv", s.kvHeads());
        kvs.put("llama.rope.dimension_count", headDim);
        kvs.put("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        kvs.put("tokenizer.ggml.model", "llama");
        kvs.put("tokenizer.ggml.tokens", tokens);
        kvs.put("tokenizer.ggml.scores", scores);
        kvs.put("tokenizer.ggml.token_type", types);
        kvs.put("tokenizer.ggml.bos_token_id", 1);
        kvs.put("tokenizer.ggml.eos_token_id", 4);   // <|im_end|>, as ChatML models end a turn
        kvs.put("tokenizer.ggml.unknown_token_id", 0);
        kvs.put("tokenizer.chat_template", CHATML);

        Header h = new Header();
        h.u32(0x46554747);   // "GGUF"
        h.u32(3);
        h.u64(tensors.size());
        h.u64(kvs.size());
        kvs.forEach((k, v) -> {
            h.str(k);
            h.value(v);
        });
        int bytes = half ? 2 : 4;
        long offset = 0;
        for (Tensor t : tensors) {
            h.str(t.name());
            h.u32(t.dims().length);
            for (long d : t.dims()) {
                h.u64(d);
            }
            h.u32(half && t.dims().length > 1 ? F16 : F32);
            h.u64(offset);
            offset += pad((long) t.count() * (half && t.dims().length > 1 ? bytes : 4));
        }
        byte[] header = h.out.toByteArray();
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
            o.write(header);
            o.write(new byte[(int) (pad(header.length) - header.length)]);
            for (Tensor t : tensors) {
                boolean norm = t.dims().length == 1;
                int size = norm || !half ? 4 : 2;
                ByteBuffer bb = ByteBuffer.allocate(t.count() * size).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < t.count(); i++) {
                    float w = norm ? 1f : (float) (r.nextGaussian() * 0.05);
                    if (size == 2) {
                        bb.putShort(Float.floatToFloat16(w));
                    } else {
                        bb.putFloat(w);
                    }
                }
                o.write(bb.array());
                o.write(new byte[(int) (pad((long) t.count() * size) - (long) t.count() * size)]);
            }
        }
        return out;
    }

    private static long pad(long n) {
        return (n + ALIGN - 1) / ALIGN * ALIGN;
    }

    private static void piece(List<String> tokens, List<Float> scores, List<Integer> types, Set<String> seen, String p, float score,
                              int type) {
        if (seen.add(p)) {
            tokens.add(p);
            scores.add(score);
            types.add(type);
        }
    }

    /** GGUF's little-endian header values. */
    private static final class Header {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void u32(long v) {
            for (int i = 0; i < 4; i++) {
                out.write((int) (v >>> (8 * i)));
            }
        }

        void u64(long v) {
            for (int i = 0; i < 8; i++) {
                out.write((int) (v >>> (8 * i)));
            }
        }

        void str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            out.writeBytes(b);
        }

        void value(Object v) {
            switch (v) {
                case String s -> {
                    u32(8);
                    str(s);
                }
                case Integer i -> {
                    u32(4);
                    u32(i);
                }
                case Float f -> {
                    u32(6);
                    u32(Float.floatToIntBits(f) & 0xffffffffL);
                }
                case List<?> list -> {
                    u32(9);
                    Object first = list.get(0);
                    u32(first instanceof String ? 8 : first instanceof Float ? 6 : 5);
                    u64(list.size());
                    for (Object x : list) {
                        switch (x) {
                            case String s -> str(s);
                            case Float f -> u32(Float.floatToIntBits(f) & 0xffffffffL);
                            case Integer i -> u32(i);
                            default -> throw new IllegalArgumentException(String.valueOf(x));
                        }
                    }
                }
                default -> throw new IllegalArgumentException(String.valueOf(v));
            }
        }
    }
}
