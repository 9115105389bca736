package dev.lakehouse.common;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Appending to a log file so that a write is either whole and on disk, or not there at all. */
public final class AppendOnly {
    private AppendOnly() {
    }

    /**
     * Appends {@code bytes} and fsyncs (data, not metadata). If either fails, the
     * file is cut back to its size before the call, so no unacknowledged part of
     * the write stays behind; the failure is rethrown.
     */
    public static void appendAndSync(FileChannel channel, byte[] bytes) throws IOException {
        long before = channel.size();
        try {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            channel.force(false);
        } catch (IOException | RuntimeException e) {
            try {
                channel.truncate(before);
                channel.force(false);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
