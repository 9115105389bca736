package dev.lakehouse.validatord.roster;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import dev.lakehouse.common.SubjectIdentifiers;
import dev.lakehouse.privacy.RosterContacts;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;

/**
 * A person taken out of the roster file (docs/privacy.md, "Erasure"): the rows whose worker id, phone or e-mail name
 * them are left out (never by name alone: many workers share one, and a row is a person, not a mention) of a new file, written beside it, fsynced and renamed over it — a reader or a
 * restart after {@code kill -9} sees the old roster or the new, never a part. Removed, not marked: a row marked erased
 * would still hold the person's contacts.
 */
public final class RosterErasure {
    private RosterErasure() {
    }

    /** Rewrites {@code file} without the subject's rows; returns those rows' places in it (none: the file is not touched). */
    public static java.util.BitSet rewrite(Path file, SubjectIdentifiers subject) throws IOException {
        MessageType schema;
        try (ParquetFileReader footer = ParquetFileReader.open(new LocalInputFile(file))) {
            schema = footer.getFooter().getFileMetaData().getSchema();
        }
        java.util.BitSet removed = new java.util.BitSet();
        int row = 0;
        Path tmp = file.resolveSibling(file.getFileName() + ".erasing.tmp");
        try (ParquetReader<Group> reader = RosterContacts.groups(new LocalInputFile(file), null);
             ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(tmp)).withType(schema)
                     .withCompressionCodec(CompressionCodecName.ZSTD).withWriteMode(ParquetFileWriter.Mode.OVERWRITE).build()) {
            Group g;
            while ((g = reader.read()) != null) {
                if (subject.matches(text(g))) {
                    removed.set(row);
                } else {
                    writer.write(g);
                }
                row++;
            }
        }
        if (removed.isEmpty()) {
            Files.deleteIfExists(tmp);   // one pass that found nothing: the file stays as it was
            return removed;
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
        return removed;
    }

    /**
     * Every row's identifying columns (id, phone, e-mail) as a line of text: what the erasure scan reads, since the file's
     * pages are compressed. Names are left out, as in {@link #rewrite}: a name in the roster belongs to every worker who has it.
     */
    public static String text(Path file) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (ParquetReader<Group> reader = RosterContacts.groups(new LocalInputFile(file), RosterContacts.PROJECTION)) {
            Group g;
            while ((g = reader.read()) != null) {
                sb.append(text(g).replace('\n', '\t')).append('\n');
            }
        }
        return sb.toString();
    }

    /** What identifies the person of a row: id, phone, e-mail. */
    private static String text(Group g) {
        return field(g, RosterFile.WORKER_ID) + "\n" + field(g, "phone") + "\n" + field(g, "email");
    }

    private static String field(Group g, String name) {
        return g.getType().containsField(name) && g.getFieldRepetitionCount(name) > 0 ? g.getString(name, 0) : "";
    }
}
