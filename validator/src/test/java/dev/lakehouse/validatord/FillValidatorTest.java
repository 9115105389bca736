package dev.lakehouse.validatord;

import static dev.lakehouse.validatord.Fixtures.fill;
import static dev.lakehouse.validatord.Fixtures.order;
import static dev.lakehouse.validatord.Fixtures.rules;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Every fill rule, with a positive and a near-miss negative each. */
class FillValidatorTest {
    final FillValidator validator = new FillValidator(Fixtures.ROSTER);

    List<String> check(ValidatordWire.Fill fill) {
        return rules(validator.validate(fill));
    }

    @Test
    void aGoodFill_hasNoViolations() {
        assertThat(check(fill(order("forklift operator", 1), "W000001"))).isEmpty();
    }

    @Test
    void malformedIds_areNamedByPath() {
        assertThat(check(fill(order("warehouse associate", 5), "W000002", "w000001", "W12345", "W0000011", "X000001")))
                .containsExactly("malformed_worker_id@worker_ids[1]", "malformed_worker_id@worker_ids[2]",
                        "malformed_worker_id@worker_ids[3]", "malformed_worker_id@worker_ids[4]");
    }

    @Test
    void aPhantomWorker_isNotOnTheRoster() {
        List<Violation> v = validator.validate(fill(order("warehouse associate", 3), "W000002", "W000006"));
        assertThat(rules(v)).containsExactly("phantom_worker@worker_ids[1]");
        assertThat(v.get(0).message()).isEqualTo("worker W000006 is not on the roster");
        assertThat(v.get(0).severity()).isEqualTo("error");
    }

    @Test
    void aDuplicate_namesTheFirstOccurrence() {
        List<Violation> v = validator.validate(fill(order("warehouse associate", 3), "W000002", "W000001", "W000002"));
        assertThat(rules(v)).containsExactly("duplicate_worker@worker_ids[2]");
        assertThat(v.get(0).message()).contains("worker_ids[0]");
    }

    @Test
    void anInactiveWorker_isRefused() {
        assertThat(check(fill(order("picker packer", 1), "W000003"))).containsExactly("inactive_worker@worker_ids[0]");
    }

    @Test
    void roleMismatch_butCompatibleRolesPass() {
        assertThat(check(fill(order("forklift operator", 2), "W000002"))).as("a warehouse associate is not certified")
                .containsExactly("role_mismatch@worker_ids[0]");
        assertThat(check(fill(order("warehouse associate", 2), "W000001"))).as("a forklift operator can do warehouse work")
                .isEmpty();
        assertThat(check(fill(order("Warehouse Associate ", 2), "W000002"))).as("case and spaces do not matter").isEmpty();
        assertThat(check(fill(order("delivery driver", 1), "W000005"))).as("a CDL driver can drive a van").isEmpty();
        assertThat(check(fill(order("cdl driver", 1), "W000007"))).containsExactly("role_mismatch@worker_ids[0]");
    }

    @Test
    void outsideTheRadius_byGreatCircleDistance() {
        List<Violation> v = validator.validate(fill(order("forklift operator", 2), "W000001", "W000004"));
        assertThat(rules(v)).containsExactly("outside_radius@worker_ids[1]");
        assertThat(v.get(0).message()).contains("W000004 is 1", "miles from the order; the radius is 25 miles");
    }

    @Test
    void justInsideTheRadius_passes() {
        // Cleveland is ~126 miles from Columbus: a 130-mile radius takes it, a 120-mile one does not
        ValidatordWire.Order wide = new ValidatordWire.Order("O-2", "forklift operator", null, null, Fixtures.COLUMBUS_LAT, Fixtures.COLUMBUS_LON,
                130.0, 1, 20.0);
        ValidatordWire.Order narrow = new ValidatordWire.Order("O-3", "forklift operator", null, null, Fixtures.COLUMBUS_LAT, Fixtures.COLUMBUS_LON,
                120.0, 1, 20.0);
        assertThat(check(fill(wide, "W000004"))).isEmpty();
        assertThat(check(fill(narrow, "W000004"))).containsExactly("outside_radius@worker_ids[0]");
        assertThat(FillValidator.miles(39.9612, -82.9988, 41.4993, -81.6944)).isBetween(124.0, 128.0);
    }

    @Test
    void moreWorkersThanTheHeadcount() {
        assertThat(check(fill(order("warehouse associate", 1), "W000002", "W000001"))).containsExactly("over_headcount@worker_ids");
        assertThat(check(fill(order("warehouse associate", 2), "W000002", "W000001"))).isEmpty();
    }

    @Test
    void anIncompleteOrder_saysWhatCannotBeChecked() {
        ValidatordWire.Order bare = new ValidatordWire.Order("O-4", null, null, null, null, null, null, null, null);
        assertThat(check(fill(bare, "W000002"))).containsExactly("order_incomplete@order.role", "order_incomplete@order.lat",
                "order_incomplete@order.lon", "order_incomplete@order.radius_miles", "order_incomplete@order.headcount");
    }

    @Test
    void anUnknownOrderRole_andPayBelowMinimum_areWarnings() {
        ValidatordWire.Order odd = new ValidatordWire.Order("O-5", "astronaut", null, null, Fixtures.COLUMBUS_LAT, Fixtures.COLUMBUS_LON, 25.0, 1, 5.0);
        List<Violation> v = validator.validate(fill(odd, "W000002"));
        assertThat(rules(v)).containsExactly("unknown_order_role@order.role", "pay_below_minimum@order.pay_rate",
                "role_mismatch@worker_ids[0]");
        assertThat(v.get(0).severity()).isEqualTo("warning");
        assertThat(v.get(1).severity()).isEqualTo("warning");
    }

    @Test
    void anEmptyFill_isAnError() {
        assertThat(check(fill(order("warehouse associate", 2)))).containsExactly("empty_fill@worker_ids");
    }

    @Test
    void severalRules_onOneWorker_areAllReported() {
        // inactive, wrong role, and (with a tight radius) too far
        ValidatordWire.Order tight = new ValidatordWire.Order("O-6", "forklift operator", null, null, 40.5, -82.0, 5.0, 1, 20.0);
        assertThat(check(fill(tight, "W000003"))).containsExactly("inactive_worker@worker_ids[0]", "role_mismatch@worker_ids[0]",
                "outside_radius@worker_ids[0]");
    }
}
