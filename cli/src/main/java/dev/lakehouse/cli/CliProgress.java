package dev.lakehouse.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The CLI's progress bars: on standard error, ASCII, redrawn every 200 ms, and 100
 * columns wide. The width is fixed because without one the library asks the terminal
 * for it at every redraw, forking {@code tty} and {@code test} each time: a dozen
 * processes a second while {@code up} waits for the daemons it is starting, on the
 * same two cores.
 */
final class CliProgress {
    private CliProgress() {
    }

    static ProgressBarBuilder bar(String task, long max) {
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200).setConsumer(new ConsoleProgressBarConsumer(System.err, 100));
    }
}
