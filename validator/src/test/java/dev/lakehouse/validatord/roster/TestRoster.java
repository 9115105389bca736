package dev.lakehouse.validatord.roster;

import java.util.List;

/** A small roster built in memory from workers, for validator tests. */
public final class TestRoster {
    private TestRoster() {
    }

    public static Roster of(List<Roster.Worker> workers) {
        int n = workers.size();
        int[] numbers = new int[n];
        float[] lat = new float[n];
        float[] lon = new float[n];
        float[] rate = new float[n];
        StringColumn.Builder[] cols = new StringColumn.Builder[10];
        for (int i = 0; i < cols.length; i++) {
            cols[i] = new StringColumn.Builder(n);
        }
        for (int i = 0; i < n; i++) {
            Roster.Worker w = workers.get(i);
            numbers[i] = RosterFile.number(w.workerId());
            lat[i] = (float) w.lat();
            lon[i] = (float) w.lon();
            rate[i] = (float) w.hourlyRate();
            String[] values = {w.firstName(), w.lastName(), w.role(), w.city(), w.state(), w.zip(), w.phone(), w.email(),
                w.skills(), w.status()};
            for (int c = 0; c < values.length; c++) {
                cols[c].add(values[c]);
            }
        }
        return new Roster(n, numbers, cols[0].build(), cols[1].build(), cols[2].build(), cols[3].build(), cols[4].build(),
                cols[5].build(), lat, lon, cols[6].build(), cols[7].build(), rate, cols[8].build(), cols[9].build());
    }

    /** An active worker in Columbus, OH (39.9612, -82.9988) unless moved. */
    public static Roster.Worker worker(int number, String first, String last, String role, double lat, double lon,
                                       String phone, String status) {
        return new Roster.Worker(RosterFile.workerId(number), first, last, role, "Columbus", "OH", "43215", lat, lon, phone,
                first.toLowerCase() + "." + last.toLowerCase() + number + "@example.com", 19.5, "rf scanner", status);
    }
}
