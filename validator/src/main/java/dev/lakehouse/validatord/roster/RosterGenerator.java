package dev.lakehouse.validatord.roster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;

import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;

/**
 * Writes a deterministic synthetic roster: the same rows and seed give a
 * byte-identical file (one pseudo-random sequence, no clocks, no host names;
 * ZSTD). Worker ids run {@code W000001} upward; each worker lives within 15 miles
 * of one of {@link SyntheticData#CITIES} (real coordinates), has a role from the
 * staffing list with a rate around its typical one, one to three of its skills, a
 * phone in the city's area code and an {@code example.com} address; about 8 % are
 * inactive. The file is written beside the target and renamed into place.
 */
public final class RosterGenerator {
    public static final int MAX_ROWS = 999_999;
    static final double RADIUS_MILES = 15;
    static final double INACTIVE_SHARE = 0.08;

    private RosterGenerator() {
    }

    /** Writes {@code rows} workers to {@code out}; {@code progress} is told how many rows are written so far. */
    public static void write(Path out, int rows, long seed, LongConsumer progress) throws IOException {
        if (rows < 1 || rows > MAX_ROWS) {
            throw new IllegalArgumentException("rows must be from 1 to " + MAX_ROWS + " (worker ids have six digits), not " + rows);
        }
        Path dir = out.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(out.getFileName() + ".tmp");
        SplittableRandom random = new SplittableRandom(seed);
        SimpleGroupFactory groups = new SimpleGroupFactory(RosterFile.SCHEMA);
        try (ParquetWriter<org.apache.parquet.example.data.Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(tmp))
                .withType(RosterFile.SCHEMA)
                .withCompressionCodec(CompressionCodecName.ZSTD)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .build()) {
            for (int n = 1; n <= rows; n++) {
                SyntheticData.City city = pick(random, SyntheticData.CITIES);
                SyntheticData.Role role = pick(random, SyntheticData.ROLES);
                String first = pick(random, SyntheticData.FIRST_NAMES);
                String last = pick(random, SyntheticData.LAST_NAMES);
                // uniform in a disc of RADIUS_MILES around the city centre
                double r = RADIUS_MILES * Math.sqrt(random.nextDouble());
                double bearing = random.nextDouble() * 2 * Math.PI;
                double lat = city.lat() + r * Math.cos(bearing) / 69.0;
                double lon = city.lon() + r * Math.sin(bearing) / (69.0 * Math.cos(Math.toRadians(city.lat())));
                String phone = city.areaCode() + "-" + (200 + random.nextInt(800)) + "-" + String.format("%04d", random.nextInt(10_000));
                String email = first.toLowerCase(Locale.ROOT) + "." + last.toLowerCase(Locale.ROOT) + n + "@example.com";
                double rate = Math.round((role.baseRate() * (0.85 + 0.35 * random.nextDouble())) * 4) / 4.0;
                List<String> skills = new ArrayList<>(role.skills());
                int keep = 1 + random.nextInt(Math.min(3, skills.size()));
                List<String> chosen = new ArrayList<>();
                for (int i = 0; i < keep; i++) {
                    chosen.add(skills.remove(random.nextInt(skills.size())));
                }
                String status = random.nextDouble() < INACTIVE_SHARE ? "inactive" : "active";
                writer.write(groups.newGroup()
                        .append(RosterFile.WORKER_ID, RosterFile.workerId(n))
                        .append("first_name", first)
                        .append("last_name", last)
                        .append("role", role.name())
                        .append("city", city.name())
                        .append("state", city.state())
                        .append("zip", city.zip())
                        .append("lat", round(lat, 5))
                        .append("lon", round(lon, 5))
                        .append("phone", phone)
                        .append("email", email)
                        .append("hourly_rate", rate)
                        .append("skills", String.join(",", chosen))
                        .append("status", status));
                if (n % 10_000 == 0 || n == rows) {
                    progress.accept(n);
                }
            }
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static <T> T pick(SplittableRandom random, List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    private static double round(double v, int places) {
        double f = Math.pow(10, places);
        return Math.round(v * f) / f;
    }
}
