package dev.lakehouse.validatord;

import static dev.lakehouse.validatord.Fixtures.rules;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every e-mail rule, with positives and near-miss negatives. Recipient: W000001, Maria Garcia. */
class EmailValidatorTest {
    final EmailValidator validator = new EmailValidator(Fixtures.ROSTER);

    List<String> check(String body) {
        return rules(validator.validate(new ValidatordWire.Email("W000001", "Your shift", body)));
    }

    @Test
    void aGoodEmail_hasNoViolations() {
        assertThat(check("Hi Maria,\n\nYour forklift shift at order O-1 starts Monday 7:00 at 1200 Alum Creek Dr, "
                + "Columbus OH 43215. Call us at 614-555-0199 with questions.\n\nThanks")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Her SSN is 078-05-1120.", "ssn: 219 09 9999", "Social Security number 219099999 on file",
        "your social security # is 123-45-6789"})
    void ssnLikeNumbers_areFlagged(String text) {
        assertThat(check("Hi Maria, " + text)).containsExactly("ssn@body");
    }

    /** An IRS ITIN (area 9xx, group 50–65, 70–88, 90–92, 94–99) is a person's taxpayer number: as bad to mail as an SSN. */
    @ParameterizedTest
    @ValueSource(strings = {"ITIN 987-65-4321 on file", "912-70-1234", "tax id 900941234"})
    void itins_areFlaggedAsSsns(String text) {
        assertThat(check("Hi Maria, " + text)).containsExactly("ssn@body");
    }

    @ParameterizedTest
    @ValueSource(strings = {"000-12-3456", "666-12-3456", "900-12-3456", "987-45-4321", "123-00-4567", "123-45-0000"})
    void numbersNeverIssuedAsSsns_areNotFlagged(String text) {
        assertThat(check("Hi Maria, number " + text + " is on the form")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Call 614-555-0123 today.", "Order 123456789 shipped.", "ZIP 43215-1234.", "On 2026-11-22 we start.",
        "Reference 123-45-6789-01.", "Order #219-09-9999 is ready.", "Inconsistent 219-09 9999.", "Phone (614) 555-0123."})
    void phonesZipsOrderIdsAndDates_areNotSsns(String text) {
        assertThat(check("Hi Maria, " + text)).isEmpty();
    }

    @Test
    void everyTextRule_namesTheSpanOfItsText_inTheFieldItsPathNames() {
        String subject = "Re: W999999";
        String body = "Hi John, SSN 078-05-1120 on file; you will earn $21/hr.";
        List<Violation> found = validator.validate(new ValidatordWire.Email("W000001", subject, body));
        assertThat(found).extracting(Violation::rule).contains("unknown_worker_id", "ssn", "pay_disclosure", "greeting_name_mismatch");
        for (Violation v : found) {
            assertThat(v.span()).as(v.rule()).isNotNull();
            String field = v.path().equals("subject") ? subject : body;
            String marked = field.substring(v.span().start(), v.span().end());
            switch (v.rule()) {
                case "unknown_worker_id" -> assertThat(marked).isEqualTo("W999999");
                case "ssn" -> assertThat(marked.strip()).isEqualTo("078-05-1120");
                case "pay_disclosure" -> assertThat(marked).startsWith("$21");
                case "greeting_name_mismatch" -> assertThat(marked).contains("John").doesNotContain("SSN");
                default -> throw new AssertionError("unexpected " + v);
            }
        }
        assertThat(validator.validate(new ValidatordWire.Email("W999998", "s", "Hi there")).get(0).span())
                .as("a rule about a field, not a piece of text").isNull();
    }

    @Test
    void theSsnMessage_masksTheNumber() {
        Violation v = validator.validate(new ValidatordWire.Email("W000001", "s", "Hi Maria, SSN 078-05-1120")).get(0);
        assertThat(v.message()).contains("***-**-1120", "high confidence").doesNotContain("078");
    }

    @ParameterizedTest
    @ValueSource(strings = {"The pay is $19.50 per hour.", "You will earn $21/hr.", "Rate: $18.75", "Salary $45,000 a year.",
        "It pays 19.50/hr.", "We offer $52k annually.", "Starting wage 20 dollars."})
    void payFigures_areFlagged(String text) {
        assertThat(check("Hi Maria, " + text)).contains("pay_disclosure@body");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Parking is $5 at the lot.", "Bring $20 in cash for boots.", "Ask us about pay by phone.",
        "Your pay stub is online.", "Shift is 8 hours, 7:00 to 15:30."})
    void otherAmountsAndPayWithoutFigures_areNotFlagged(String text) {
        assertThat(check("Hi Maria, " + text)).isEmpty();
    }

    @Test
    void paysInTheSubject_areFlaggedThereToo() {
        assertThat(rules(validator.validate(new ValidatordWire.Email("W000001", "Now $22/hr!", "Hi Maria, see you."))))
                .containsExactly("pay_disclosure@subject");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Hi John,", "Dear Mr. Smith,", "Hello Maria Lopez,", "Good morning Ana!"})
    void aGreetingToSomeoneElse_isFlagged(String greeting) {
        List<Violation> v = validator.validate(new ValidatordWire.Email("W000001", "s", greeting + "\nsee you Monday."));
        assertThat(rules(v)).containsExactly("greeting_name_mismatch@body");
        assertThat(v.get(0).message()).contains("Maria Garcia");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Hi Maria,", "hello maria!", "Dear Ms. Garcia,", "Hi Maria Garcia,", "Hi there,", "Hello team,",
        "Hello,", "Good afternoon,", "Maria, quick note:"})
    void aGreetingToTheRecipientOrNoOne_passes(String greeting) {
        assertThat(check(greeting + "\nsee you Monday.")).isEmpty();
    }

    @Test
    void workerIdsNotOnTheRoster_areFlagged_knownOnesPass() {
        assertThat(check("Hi Maria, you replace W000006 and work with W000002.")).containsExactly("unknown_worker_id@body");
    }

    @Test
    void anotherWorkersPhoneOrEmail_isFlagged() {
        assertThat(check("Hi Maria, call John at (614) 555-0102 or john.smith2@example.com."))
                .containsExactly("other_worker_contact@body", "other_worker_contact@body");
    }

    @Test
    void theRecipientsOwnContactDetails_andUnknownNumbers_pass() {
        assertThat(check("Hi Maria, we have 614-555-0101 and maria.garcia1@example.com for you; our desk is 614-555-0199."))
                .isEmpty();
        assertThat(check("Hi Maria, call +1 614 555 0102.")).as("formatting does not hide a number")
                .containsExactly("other_worker_contact@body");
    }

    @Test
    void aRecipientNotOnTheRoster_isFlagged_andTheGreetingCannotBeChecked() {
        assertThat(rules(validator.validate(new ValidatordWire.Email("W000006", "s", "Hi Bob, hello."))))
                .containsExactly("unknown_recipient@to_worker_id");
    }
}
