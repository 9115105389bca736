package dev.lakehouse.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MaskerTest {
    private final Masker masker = new Masker(new PiiDetector(PiiCorpusTest.ROSTER));

    @Test
    void session_sameValueSamePlaceholderAcrossTextsAndForms() {
        Masker.Session s = masker.session();
        assertThat(s.mask("Call 614.555.0142 or mail Maria.Garcia1@example.com"))
                .isEqualTo("Call [PHONE_1] or mail [EMAIL_1]");
        assertThat(s.mask("Yes, (614) 555-0142 is hers; the desk is 212 555 0100. maria.garcia1@example.com works."))
                .isEqualTo("Yes, [PHONE_1] is hers; the desk is [PHONE_2]. [EMAIL_1] works.");
        assertThat(s.mask("SSN 078-05-1120")).isEqualTo("SSN [SSN]");
        assertThat(s.masked()).containsEntry(PiiType.PHONE, 3).containsEntry(PiiType.EMAIL, 2).containsEntry(PiiType.SSN, 1);
        assertThat(s.rosterMasked()).isEqualTo(4);
        assertThat(masker.session().mask("212 555 0100")).as("a new sample numbers from 1").isEqualTo("[PHONE_1]");
    }

    @Test
    void mask_placeholdersAreNotReadAgain_andTextWithoutIdentifiersIsUnchanged() {
        String once = masker.mask("ssn 219099999, cell 4155550132, a@example.com");
        assertThat(once).isEqualTo("ssn [SSN], cell [PHONE_1], [EMAIL_1]");
        assertThat(masker.mask(once)).isEqualTo(once);
        assertThat(masker.mask("Order 123456789 for 12 pickers on 2026-12-07")).isEqualTo("Order 123456789 for 12 pickers on 2026-12-07");
        assertThat(masker.mask(null)).isNull();
        assertThat(masker.mask("")).isEmpty();
    }

    /** Hostile texts: repeated characters for every pattern, huge runs, control characters; each must finish (linear scans). */
    @ParameterizedTest
    @ValueSource(strings = {"1", "1 ", "(1 ", "+1 ", "1-", "a@", "a.", "@a.", "(at)", " at a dot ", "ssn ", "0", "00", "9-", "\u0000",
            "\u2013", "x"})
    void find_hostileRepetitions_finishAndFindNothingWrong(String unit) {
        String text = unit.repeat(200_000 / unit.length());
        List<Finding> found = new PiiDetector(PiiCorpusTest.ROSTER).find(text);
        assertThat(found).allSatisfy(f -> assertThat(f.end()).isLessThanOrEqualTo(text.length()));
    }

    @Test
    void find_manyIdentifiers_allFoundInOrder() {
        String text = "call 614-555-0142; ".repeat(20_000);
        List<Finding> found = new PiiDetector(ContactDirectory.EMPTY).find(text);
        assertThat(found).hasSize(20_000);
        assertThat(found.get(19_999).start()).isGreaterThan(found.get(0).start());
    }

    @Test
    void rosterContacts_readFromParquet_projectingThreeColumns(@TempDir Path dir) throws IOException {
        MessageType schema = MessageTypeParser.parseMessageType("message roster { required binary worker_id (STRING); "
                + "required binary first_name (STRING); required binary phone (STRING); required binary email (STRING); }");
        Path file = dir.resolve("workers.parquet");
        try (ParquetWriter<org.apache.parquet.example.data.Group> w = ExampleParquetWriter.builder(new LocalOutputFile(file))
                .withType(schema).build()) {
            SimpleGroupFactory f = new SimpleGroupFactory(schema);
            w.write(f.newGroup().append("worker_id", "W000007").append("first_name", "Ana").append("phone", "614-555-0177")
                    .append("email", "Ana.Lopez7@Example.com"));
            w.write(f.newGroup().append("worker_id", "W000008").append("first_name", "Bo").append("phone", "not a phone")
                    .append("email", "bo8@example.com"));
        }
        RosterContacts c = RosterContacts.load(file);
        assertThat(c.size()).isEqualTo(2);
        assertThat(c.workerByPhone(6145550177L)).isEqualTo("W000007");
        assertThat(c.workerByEmail("ana.lopez7@example.com")).isEqualTo("W000007");
        assertThat(c.workerByEmail("bo8@example.com")).isEqualTo("W000008");
        assertThat(c.workerByPhone(6145550178L)).isNull();
        assertThat(new PiiDetector(c).find("her number 6145550177").get(0).workerId()).isEqualTo("W000007");
    }

    @Test
    void rosterContacts_missingOrCorruptFile_isAnIoExceptionNamingTheFile(@TempDir Path dir) throws IOException {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RosterContacts.load(dir.resolve("none.parquet")))
                .isInstanceOf(IOException.class).hasMessageContaining("none.parquet").hasMessageNotContaining(dir.toString());
        Path bad = Files.writeString(dir.resolve("bad.parquet"), "PAR1 not really");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RosterContacts.load(bad)).isInstanceOf(IOException.class)
                .hasMessageContaining("bad.parquet");
    }
}
