package dev.lakehouse.validatord.roster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.MessageType;

/**
 * Reads a roster Parquet file into a {@link Roster}. Every column of
 * {@link RosterFile#SCHEMA} must be there; worker ids must be well formed and
 * unique. Any problem is an {@link IOException} whose message says what and where.
 */
public final class RosterLoader {
    private RosterLoader() {
    }

    public static Roster load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("roster file " + file.getFileName() + " does not exist");
        }
        InputFile input = new LocalInputFile(file);
        long rows;
        try (ParquetFileReader footer = ParquetFileReader.open(input)) {
            rows = footer.getRecordCount();
            MessageType schema = footer.getFooter().getFileMetaData().getSchema();
            for (var column : RosterFile.SCHEMA.getFields()) {
                if (!schema.containsField(column.getName())) {
                    throw new IOException("roster file " + file.getFileName() + " has no column '" + column.getName() + "'");
                }
            }
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IOException("roster file " + file.getFileName() + " is not a readable Parquet file: " + e.getMessage(), e);
        }
        if (rows > Roster.MAX_ROWS) {
            throw new IOException("roster file " + file.getFileName() + " has " + rows + " rows; at most " + Roster.MAX_ROWS);
        }
        int n = (int) rows;
        int[] numbers = new int[n];
        float[] lat = new float[n];
        float[] lon = new float[n];
        float[] rate = new float[n];
        StringColumn.Builder first = new StringColumn.Builder(n);
        StringColumn.Builder last = new StringColumn.Builder(n);
        StringColumn.Builder role = new StringColumn.Builder(n);
        StringColumn.Builder city = new StringColumn.Builder(n);
        StringColumn.Builder state = new StringColumn.Builder(n);
        StringColumn.Builder zip = new StringColumn.Builder(n);
        StringColumn.Builder phone = new StringColumn.Builder(n);
        StringColumn.Builder email = new StringColumn.Builder(n);
        StringColumn.Builder skills = new StringColumn.Builder(n);
        StringColumn.Builder status = new StringColumn.Builder(n);
        java.util.BitSet seen = new java.util.BitSet(1_000_000);
        int row = 0;
        try (ParquetReader<Group> reader = dev.lakehouse.privacy.RosterContacts.groups(input, null)) {
            Group g;
            while ((g = reader.read()) != null) {
                if (row == n) {
                    throw new IOException("roster file " + file.getFileName() + " has more rows than its footer says (" + n + ")");
                }
                String id = g.getString(RosterFile.WORKER_ID, 0);
                if (!RosterFile.isWorkerId(id)) {
                    throw new IOException("roster file " + file.getFileName() + ", row " + row + ": worker_id '" + id
                            + "' is not W and six digits");
                }
                numbers[row] = RosterFile.number(id);
                if (seen.get(numbers[row])) {
                    throw new IOException("roster file " + file.getFileName() + ", row " + row + ": worker_id " + id + " appears twice");
                }
                seen.set(numbers[row]);
                first.add(g.getString("first_name", 0));
                last.add(g.getString("last_name", 0));
                role.add(g.getString("role", 0));
                city.add(g.getString("city", 0));
                state.add(g.getString("state", 0));
                zip.add(g.getString("zip", 0));
                lat[row] = (float) g.getDouble("lat", 0);
                lon[row] = (float) g.getDouble("lon", 0);
                phone.add(g.getString("phone", 0));
                email.add(g.getString("email", 0));
                rate[row] = (float) g.getDouble("hourly_rate", 0);
                skills.add(g.getString("skills", 0));
                status.add(g.getString("status", 0));
                row++;
            }
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IOException("roster file " + file.getFileName() + " is corrupt at row " + row + ": " + e.getMessage(), e);
        }
        if (row != n) {
            throw new IOException("roster file " + file.getFileName() + " ended after " + row + " of " + n + " rows");
        }
        return new Roster(n, numbers, first.build(), last.build(), role.build(), city.build(), state.build(), zip.build(),
                lat, lon, phone.build(), email.build(), rate, skills.build(), status.build());
    }
}
