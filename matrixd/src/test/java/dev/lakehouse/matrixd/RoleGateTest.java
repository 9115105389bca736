package dev.lakehouse.matrixd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RoleGateTest {
    final RoleGate gate = RoleGate.standard();

    @Test
    void aQuery_admitsItsOwnRole_andTheRolesItsOrdersAccept_only() {
        assertThat(gate.admits("forklift operator", "forklift operator")).isTrue();
        assertThat(gate.admits("Forklift Operator ", "forklift operator")).as("case and spaces").isTrue();
        assertThat(gate.admits("forklift operator", "warehouse associate")).as("a licensed role accepts only itself").isFalse();
        assertThat(gate.admits("warehouse associate", "forklift operator")).as("a general role covers it").isTrue();
        assertThat(gate.admits("welder", "electrician")).isFalse();
        assertThat(gate.admits("welder", null)).as("a hit without a role is never admitted").isFalse();
        assertThat(gate.admitted("cdl driver")).containsExactly("cdl driver");
        assertThat(gate.admitted("delivery driver")).containsExactly("delivery driver", "cdl driver");
    }

    @Test
    void theTable_isTheRostersOwn() {
        assertThat(gate.isKnown("HVAC technician")).isTrue();
        assertThat(gate.isKnown("astronaut")).isFalse();
    }
}
