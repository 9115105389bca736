package dev.lakehouse.validatord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.lakehouse.validatord.roster.Roster;
import dev.lakehouse.validatord.roster.RosterFile;

/**
 * Checks a proposed fill against the roster (docs/validator.md has every rule
 * with an example): each worker id well formed, on the roster, once, active, of a
 * compatible role, within the order's radius (great-circle miles); no more
 * workers than the headcount; an order complete enough to check. Pure: no I/O.
 */
final class FillValidator {
    static final double EARTH_RADIUS_MILES = 3958.8;
    static final double MINIMUM_WAGE = 7.25;

    private final Roster roster;

    FillValidator(Roster roster) {
        this.roster = roster;
    }

    List<Violation> validate(ValidatordWire.Fill fill) {
        List<Violation> out = new ArrayList<>();
        ValidatordWire.Order order = fill.order();
        checkOrder(order, out);
        boolean geography = order.lat() != null && order.lon() != null && order.radiusMiles() != null;
        Map<String, Integer> seen = new HashMap<>();
        List<String> ids = fill.workerIds();
        if (ids.isEmpty()) {
            out.add(Violation.error("empty_fill", "worker_ids", "the fill proposes no workers"));
        }
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            String path = "worker_ids[" + i + "]";
            if (!RosterFile.isWorkerId(id)) {
                out.add(Violation.error("malformed_worker_id", path, "'" + id + "' is not a worker id (W and six digits)"));
                continue;
            }
            Integer first = seen.putIfAbsent(id, i);
            if (first != null) {
                out.add(Violation.error("duplicate_worker", path, "worker " + id + " is already proposed at worker_ids["
                        + first + "]"));
                continue;
            }
            int row = roster.row(id);
            if (row < 0) {
                out.add(Violation.error("phantom_worker", path, "worker " + id + " is not on the roster"));
                continue;
            }
            if (!roster.active(row)) {
                out.add(Violation.error("inactive_worker", path, "worker " + id + " (" + name(row) + ") is inactive"));
            }
            if (order.role() != null && !Roles.compatible(order.role(), roster.role(row))) {
                out.add(Violation.error("role_mismatch", path, "worker " + id + " is a " + roster.role(row)
                        + ", which cannot fill a " + order.role() + " order"));
            }
            if (geography) {
                double miles = miles(order.lat(), order.lon(), roster.lat(row), roster.lon(row));
                if (miles > order.radiusMiles()) {
                    out.add(Violation.error("outside_radius", path, String.format(java.util.Locale.ROOT,
                            "worker %s is %.1f miles from the order; the radius is %s miles", id, miles,
                            strip(order.radiusMiles()))));
                }
            }
        }
        if (order.headcount() != null && ids.size() > order.headcount()) {
            out.add(Violation.error("over_headcount", "worker_ids", ids.size() + " workers proposed for a headcount of "
                    + order.headcount()));
        }
        return out;
    }

    private static void checkOrder(ValidatordWire.Order order, List<Violation> out) {
        List<String> missing = new ArrayList<>();
        if (order.role() == null) {
            missing.add("role");
        }
        if (order.lat() == null) {
            missing.add("lat");
        }
        if (order.lon() == null) {
            missing.add("lon");
        }
        if (order.radiusMiles() == null) {
            missing.add("radius_miles");
        }
        if (order.headcount() == null) {
            missing.add("headcount");
        }
        for (String field : missing) {
            out.add(Violation.error("order_incomplete", "order." + field, "the order has no " + field
                    + (field.equals("headcount") ? "; the fill's size cannot be checked"
                    : field.equals("role") ? "; the workers' roles cannot be checked" : "; the workers' distance cannot be checked")));
        }
        if (order.role() != null && !Roles.isKnown(order.role())) {
            out.add(Violation.warning("unknown_order_role", "order.role", "'" + order.role()
                    + "' is not a role of the staffing list; only workers of exactly that role match"));
        }
        if (order.payRate() != null && order.payRate() < MINIMUM_WAGE) {
            out.add(Violation.warning("pay_below_minimum", "order.pay_rate", "pay rate " + strip(order.payRate())
                    + " is below the federal minimum wage of " + MINIMUM_WAGE));
        }
    }

    private String name(int row) {
        return roster.firstName(row) + " " + roster.lastName(row);
    }

    /** Great-circle distance (haversine) in statute miles. */
    static double miles(double lat1, double lon1, double lat2, double lon2) {
        double dLat = Math.toRadians(lat2 - lat1);
        double dLon = Math.toRadians(lon2 - lon1);
        double a = Math.sin(dLat / 2) * Math.sin(dLat / 2)
                + Math.cos(Math.toRadians(lat1)) * Math.cos(Math.toRadians(lat2)) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
        return 2 * EARTH_RADIUS_MILES * Math.asin(Math.min(1, Math.sqrt(a)));
    }

    private static String strip(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
