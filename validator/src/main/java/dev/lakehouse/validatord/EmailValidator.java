package dev.lakehouse.validatord;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.lakehouse.privacy.Finding;
import dev.lakehouse.privacy.PiiDetector;
import dev.lakehouse.privacy.PiiType;
import dev.lakehouse.validatord.roster.Roster;

/**
 * Checks a proposed e-mail to a worker (docs/validator.md has every rule with an
 * example): no SSNs (the privacy library's detector: every written form, the SSA's
 * validity rules, cue words raising confidence), no pay,
 * salary or hourly-rate figures, a greeting that names the recipient, no worker
 * ids that are not on the roster, no other worker's phone or e-mail. Pure: no I/O.
 */
final class EmailValidator {
    // every pattern below is linear in the text: its repetitions are bounded, and a run it could start inside
    // (letters of an address, digits of a figure) can start it only at the run's first character (a lookbehind),
    // so find() never rescans a long run from each of its offsets
    private static final Pattern MONEY = Pattern.compile(
            "\\$\\s?\\d{1,3}(?:,\\d{3}){0,6}(?:\\.\\d{1,2})?(?:\\s?[kK]\\b)?"
                    + "|(?<![\\w,.])\\d{1,3}(?:,\\d{3}){0,6}(?:\\.\\d{1,2})?\\s?(?:dollars|usd)\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern RATE_AFTER = Pattern.compile(
            "^\\s{0,2}(?:/\\s?(?:hr|hour|h|yr|year)\\b|per\\s(?:hour|hr|year|week|shift)\\b|an?\\s(?:hour|year|week)\\b|hourly\\b|annually\\b|salary\\b)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern BARE_RATE = Pattern.compile(
            "\\b\\d{1,3}(?:\\.\\d{1,2})?\\s?(?:/\\s?(?:hr|hour)\\b|per\\shour\\b|an\\shour\\b|hourly\\b)", Pattern.CASE_INSENSITIVE);
    private static final Pattern PAY_WORDS = Pattern.compile(
            "\\b(pay|pays|paid|paying|rate|wage|wages|salary|earn|earns|earning|earnings|compensation|bonus|stipend|hourly)\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern WORKER_ID = Pattern.compile("\\bW\\d{6}\\b");
    private static final Pattern GREETING = Pattern.compile(
            "^\\s*(?i:hi|hello|hey|dear|greetings|good\\s(?:morning|afternoon|evening))(?:[ \\t]*,)?[ \\t]+"
                    + "(?:(?i:(mr|mrs|ms|miss|dr))\\.?\\s+)?(\\p{L}[\\p{L}'-]*)"
                    + "(?:[ \\t]+(\\p{Lu}[\\p{L}'-]*)(?=[ \\t]*(?:[,!:.\\n]|$)))?");
    private static final Set<String> NOT_NAMES = Set.of("there", "team", "all", "everyone", "everybody", "folks",
            "friend", "friends", "y'all", "crew", "again", "and", "from", "to", "you");

    private final Roster roster;
    /** SSNs and contacts are the privacy library's (docs/privacy.md): the roster is its contact directory. */
    private final PiiDetector pii;

    EmailValidator(Roster roster) {
        this.roster = roster;
        this.pii = new PiiDetector(roster);
    }

    List<Violation> validate(ValidatordWire.Email email) {
        return validate(email.toWorkerId(), email.subject(), email.body());
    }

    /** The rules over any text: a test passes a {@link CharSequence} that counts the regex engine's reads. */
    List<Violation> validate(String toWorkerId, CharSequence subject, CharSequence body) {
        List<Violation> out = new ArrayList<>();
        int recipient = roster.row(toWorkerId);
        if (recipient < 0) {
            out.add(Violation.error("unknown_recipient", "to_worker_id", "worker " + toWorkerId
                    + " is not on the roster"));
        }
        for (String field : List.of("subject", "body")) {
            CharSequence text = field.equals("subject") ? subject : body;
            List<Finding> found = pii.find(text);
            ssns(found, field, out);
            pay(text, field, out);
            workerIds(text, field, out);
            contacts(found, field, recipient, out);
        }
        if (recipient >= 0) {
            greeting(body, recipient, out);
        }
        return out;
    }

    private static void ssns(List<Finding> found, String path, List<Violation> out) {
        for (Finding f : found) {
            if (f.type() == PiiType.SSN) {
                out.add(Violation.error("ssn", path, "an SSN-like number ***-**-" + f.value().substring(5)
                        + " (" + (f.cued() ? "high confidence: named as one" : "medium confidence") + "); never send SSNs by e-mail")
                        .at(f.start(), f.end()));
            }
        }
    }

    private static void pay(CharSequence text, String path, List<Violation> out) {
        Matcher m = MONEY.matcher(text);
        List<int[]> flagged = new ArrayList<>();
        while (m.find()) {
            CharSequence after = text.subSequence(m.end(), Math.min(text.length(), m.end() + 20));
            CharSequence before = text.subSequence(Math.max(0, m.start() - 40), m.start());
            if (RATE_AFTER.matcher(after).find() || PAY_WORDS.matcher(before).find()) {
                flagged.add(new int[] {m.start(), m.end()});
                out.add(Violation.error("pay_disclosure", path, "discloses a pay figure ('" + m.group().strip()
                        + "'); pay is discussed by phone, not e-mail").at(m.start(), m.end()));
            }
        }
        Matcher bare = BARE_RATE.matcher(text);
        int next = 0;   // both lists run in text order: one merge pass, not a scan of every flag per rate
        while (bare.find()) {
            while (next < flagged.size() && flagged.get(next)[1] <= bare.start()) {
                next++;
            }
            boolean overlaps = next < flagged.size() && flagged.get(next)[0] < bare.end();
            if (!overlaps) {
                out.add(Violation.error("pay_disclosure", path, "discloses an hourly rate ('" + bare.group().strip()
                        + "'); pay is discussed by phone, not e-mail").at(bare.start(), bare.end()));
            }
        }
    }

    private void workerIds(CharSequence text, String path, List<Violation> out) {
        Matcher m = WORKER_ID.matcher(text);
        while (m.find()) {
            if (roster.row(m.group()) < 0) {
                out.add(Violation.error("unknown_worker_id", path, "mentions worker " + m.group()
                        + ", who is not on the roster").at(m.start(), m.end()));
            }
        }
    }

    private void contacts(List<Finding> found, String path, int recipient, List<Violation> out) {
        String self = recipient < 0 ? null : roster.workerId(recipient);
        for (Finding f : found) {
            if (f.roster() && !f.workerId().equals(self) && f.type() != PiiType.SSN) {
                out.add(Violation.error("other_worker_contact", path, "contains the " + (f.type() == PiiType.PHONE ? "phone number"
                        : "e-mail address") + " of another worker (" + f.workerId() + ")").at(f.start(), f.end()));
            }
        }
    }

    private void greeting(CharSequence body, int recipient, List<Violation> out) {
        Matcher m = GREETING.matcher(body);
        if (!m.find()) {
            return;
        }
        String title = m.group(1);
        String name = m.group(2);
        String second = m.group(3);
        if (title == null && NOT_NAMES.contains(name.toLowerCase(Locale.ROOT))) {
            return;
        }
        String first = roster.firstName(recipient);
        String last = roster.lastName(recipient);
        boolean ok = title != null ? name.equalsIgnoreCase(last)
                : name.equalsIgnoreCase(first) && (second == null || second.equalsIgnoreCase(last));
        if (!ok) {
            String greeted = (title == null ? "" : title + ". ") + name + (second == null || title != null ? "" : " " + second);
            out.add(Violation.error("greeting_name_mismatch", "body", "greets '" + greeted + "' but "
                    + roster.workerId(recipient) + "'s roster name is " + first + " " + last).at(m.start(), m.end()));
        }
    }
}
