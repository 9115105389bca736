package dev.lakehouse.validatord;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which workers may fill an order for which role (docs/validator.md). A worker of
 * the order's own role always may. Besides that, an order for a general role
 * accepts the roles whose work it covers (a warehouse associate order takes a
 * picker packer or an order selector); roles that need a licence or certification
 * — forklift operator, CDL driver, welder, electrician, HVAC technician, CNC
 * machinist, maintenance technician, security guard — accept only their own role.
 * Roles are compared case-insensitively.
 */
final class Roles {
    private static final Map<String, Set<String>> ALSO_ACCEPTED = Map.ofEntries(
            Map.entry("warehouse associate", Set.of("picker packer", "order selector", "material handler", "loader unloader",
                    "shipping and receiving clerk", "inventory clerk", "forklift operator")),
            Map.entry("picker packer", Set.of("warehouse associate", "order selector")),
            Map.entry("order selector", Set.of("picker packer", "warehouse associate")),
            Map.entry("material handler", Set.of("warehouse associate", "loader unloader", "forklift operator")),
            Map.entry("loader unloader", Set.of("material handler", "warehouse associate", "general laborer")),
            Map.entry("inventory clerk", Set.of("shipping and receiving clerk")),
            Map.entry("shipping and receiving clerk", Set.of("inventory clerk")),
            Map.entry("general laborer", Set.of("construction laborer", "production worker", "warehouse associate",
                    "material handler", "loader unloader", "landscaper")),
            Map.entry("construction laborer", Set.of("general laborer")),
            Map.entry("production worker", Set.of("assembler", "packaging operator", "machine operator", "general laborer")),
            Map.entry("assembler", Set.of("production worker")),
            Map.entry("packaging operator", Set.of("production worker", "machine operator")),
            Map.entry("machine operator", Set.of("cnc machinist", "packaging operator")),
            Map.entry("quality inspector", Set.of("cnc machinist")),
            Map.entry("janitor", Set.of("housekeeper")),
            Map.entry("housekeeper", Set.of("janitor")),
            Map.entry("dishwasher", Set.of("line cook")),
            Map.entry("receptionist", Set.of("administrative assistant", "customer service representative")),
            Map.entry("administrative assistant", Set.of("receptionist", "data entry clerk")),
            Map.entry("data entry clerk", Set.of("administrative assistant")),
            Map.entry("customer service representative", Set.of("receptionist")),
            Map.entry("delivery driver", Set.of("cdl driver")));

    /** Every role the roster generator uses; an order for another role is matched exactly and warned about. */
    static final Set<String> KNOWN = Set.copyOf(List.of("forklift operator", "warehouse associate", "picker packer",
            "order selector", "material handler", "loader unloader", "shipping and receiving clerk", "inventory clerk",
            "machine operator", "production worker", "assembler", "packaging operator", "quality inspector", "welder",
            "cnc machinist", "maintenance technician", "electrician", "hvac technician", "general laborer",
            "construction laborer", "cdl driver", "delivery driver", "janitor", "housekeeper", "line cook", "dishwasher",
            "customer service representative", "data entry clerk", "administrative assistant", "receptionist",
            "security guard", "landscaper"));

    private Roles() {
    }

    static boolean isKnown(String role) {
        return KNOWN.contains(normal(role));
    }

    /** Whether a worker of {@code workerRole} may fill an order for {@code orderRole}. */
    static boolean compatible(String orderRole, String workerRole) {
        String order = normal(orderRole);
        String worker = normal(workerRole);
        return order.equals(worker) || ALSO_ACCEPTED.getOrDefault(order, Set.of()).contains(worker);
    }

    private static String normal(String role) {
        return role.strip().toLowerCase(Locale.ROOT);
    }
}
