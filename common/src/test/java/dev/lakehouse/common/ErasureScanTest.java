package dev.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scan runs while the daemon keeps working (vectord snapshots in the background while it is scanned): a file
 * removed or renamed during the scan is passed over, not a failure of the erasure, and a file that appeared meanwhile
 * — the rename's new name — is read too.
 */
class ErasureScanTest {
    @TempDir
    Path dir;

    @Test
    void aFileGoneDuringTheScanIsPassedOver_andOneThatAppearedIsRead() throws Exception {
        Files.writeString(dir.resolve("a.log"), "nothing here\n");
        Files.writeString(dir.resolve("b.tmp"), "call Ana Ruizscan at 614-555-0123\n");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/d.log"), "W000123 was here\n");
        ErasureScan.Report r = ErasureScan.scan(dir, List.of("614-555-0123", "W000123"), f -> {
            if (f.getFileName().toString().equals("a.log")) {
                try {   // what a snapshot does while the scan reads: its temporary file renamed to the final name
                    Files.move(dir.resolve("b.tmp"), dir.resolve("c.bin"));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return Optional.empty();
        });
        assertThat(r.filesWithMatches()).containsExactlyInAnyOrder("c.bin", "sub/d.log".replace('/', java.io.File.separatorChar));
        assertThat(r.matches()).isEqualTo(2);
        assertThat(r.files()).as("a.log, c.bin and sub/d.log read; b.tmp was gone").isEqualTo(3);
    }
}
