#!/usr/bin/env python3
"""Writes distilld's fixture sets (distillation/fixtures/<set>/observations/*.jsonl), as observerd stores them.

The observations have the shapes the daemons make (chatd's chat.call, validatord's iterate.attempt and validate,
matrixd's retrieve, truthd's truth.resolve, pathwayd's memory.playbook; docs/observer.md). Deterministic: run it
again and the files are byte-identical. The sets: realistic, pii_everywhere, malformed, no_successes, duplicates,
out_of_order (docs/distilld.md, "acceptance").

    python3 scripts/distill/make-fixtures.py
"""
import json
import os
import random

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "distillation", "fixtures")
FILL_SYSTEM = ("You staff orders for a staffing agency. Answer with only a JSON object {\"worker_ids\": [\"W000123\", ...]}: "
               "worker ids are W and six digits, chosen from the workers in the context (active, of a compatible role, within "
               "the order's radius), no more than the order's headcount. No prose.")
EMAIL_SYSTEM = ("You write e-mails from a staffing agency to one worker. Answer with only a JSON object {\"subject\": \"...\", "
                "\"body\": \"...\"}. Greet the worker by their first name. Never include social security numbers, pay or salary "
                "figures, or other workers' phone numbers or e-mail addresses. No prose.")
ROLES = ["forklift operator", "warehouse associate", "picker packer", "machine operator"]
NAMES = ["Ana", "Bo", "Chen", "Dana", "Eli", "Fatima", "Gus", "Hana"]


class Day:
    def __init__(self, day):
        self.day = day
        self.lines = []
        self.second = 0

    def ts(self):
        self.second += 1
        h, rest = divmod(self.second, 3600)
        m, s = divmod(rest, 60)
        return "%sT%02d:%02d:%02d.%03dZ" % (self.day, 8 + h, m, s, (self.second * 37) % 1000)

    def event(self, eid, kind, payload, request_id=None, daemon="test", ts=None):
        ts = ts or self.ts()
        e = {"event_id": eid, "ts": ts, "kind": kind, "daemon": daemon}
        if request_id:
            e["request_id"] = request_id
        e["payload"] = payload
        e["received_at"] = ts
        self.lines.append(json.dumps(e, separators=(",", ":"), ensure_ascii=False))

    def raw(self, text):
        self.lines.append(text)


def chat_payload(messages, output, provider="ollama", model="qwen2.5:7b", error=None):
    p = {"api": "lakehouse", "status": "error" if error else "ok", "stream": False, "requested": provider,
         "messages": messages}
    if error is None:
        p.update({"provider": provider, "model": model, "output": output, "finish_reason": "stop",
                  "usage": {"prompt_tokens": 40, "completion_tokens": 12, "total_tokens": 52}, "ttft_ms": 80.5})
    else:
        p["error"] = error
    p["latency_ms"] = 412.5
    p["attempts"] = [{"provider": provider, "model": model, "status": "error" if error else "ok", "latency_ms": 400.0}]
    return p


def order(n, role):
    return {"order_id": "O-%04d" % n, "role": role, "city": "Columbus", "state": "OH", "lat": 39.96, "lon": -82.99,
            "radius_miles": 25, "headcount": 2, "pay_rate": 19.5}


def violation(rule, path, message):
    return {"rule": rule, "severity": "error", "path": path, "message": message}


def iterate(day, ids, run, kind, outputs, request_id, context, instruction):
    """An iterate run: for each output, chatd's call under the run's request id, then validatord's attempt."""
    system = FILL_SYSTEM if kind == "fill" else EMAIL_SYSTEM
    prompt = [{"role": "system", "content": system},
              {"role": "user", "content": instruction + "\n\nContext:\n" + json.dumps(context, separators=(",", ":"))}]
    for n, (output, violations) in enumerate(outputs, 1):
        day.event(ids(), "chat.call", chat_payload(list(prompt), output), request_id, "chatd")
        valid = not violations
        day.event(ids(), "iterate.attempt", {"iteration_id": run, "n": n, "kind": kind, "instruction": instruction,
                                             "context": context, "prompt": list(prompt), "output": output,
                                             "violations": violations, "valid": valid, "provider": "ollama",
                                             "model": "qwen2.5:7b"}, request_id, "validatord")
        prompt = prompt + [{"role": "assistant", "content": output},
                           {"role": "user", "content": "Your answer breaks these rules:\n" + "".join(
                               "- %s at %s: %s\n" % (v["rule"], v["path"], v["message"]) for v in violations)
                                                       + "Answer again with only the corrected JSON object."}]


def fill_output(workers):
    return json.dumps({"worker_ids": workers})


def email_output(subject, body):
    return json.dumps({"subject": subject, "body": body})


def retrieve_payload(query, hits):
    return {"query": query, "query_role": "forklift operator", "role_source": "query", "corpora": ["workers"],
            "fusion": "rrf", "k": len(hits),
            "hits": [{"corpus": "workers", "id": "p%d" % i, "doc_id": "W%06d" % (100 + i), "score": 0.9 - i / 10,
                      "raw_score": 0.8 - i / 10, "text": t} for i, t in hits], "partial": False}


def truth_payload(subject, field, claims, value, source, rule="priority"):
    return {"subject": subject, "field": field, "from": None, "to": value, "value": value, "claim_id": "c-" + subject,
            "source": source, "strategy": "ranked", "rule": rule, "conflicting": len(claims) - 1,
            "claims": [{"source": s, "value": v, "rank": "normal", "observed_at": "2026-11-0%dT00:00:00Z" % (i + 1)}
                       for i, (s, v) in enumerate(claims)]}


def playbook_payload(n, role, workers):
    return {"memory_id": "playbook-it-%d" % n, "version": 1, "role": role,
            "text": "Filled order O-%04d for 2 × %s in Columbus, OH with %s." % (n, role, ", ".join(workers)),
            "playbook": {"order": order(n, role), "workers": workers, "outcome": "filled"},
            "metadata": {"iteration_id": "it-%d" % n, "attempts": 1, "provider": "ollama", "model": "qwen2.5:7b"}}


def counter(prefix):
    state = {"n": 0}

    def next_id():
        state["n"] += 1
        return "%s-%05d" % (prefix, state["n"])
    return next_id


def realistic():
    rnd = random.Random(7)
    days = [Day("2026-11-29"), Day("2026-11-30")]
    ids = counter("ev")
    questions = ["Which shifts are open this week?", "How do I update my availability?", "Is there parking at the Columbus site?",
                 "What should I bring on my first day?", "Can I swap my Tuesday shift?", "Who do I call if I am late?"]
    answers = ["Open shifts this week: Tuesday night and Thursday day.", "Use the worker portal, under Availability.",
               "Yes, the east lot is free for staff.", "Bring steel-toe boots and a photo ID.",
               "Ask your coordinator; swaps need a day's notice.", "Call the site coordinator's line on your badge."]
    for i in range(40):
        d = days[i % 2]
        q = rnd.randrange(len(questions))
        d.event(ids(), "chat.call", chat_payload([{"role": "system", "content": "Be brief."},
                                                  {"role": "user", "content": questions[q] + " (#%d)" % i}],
                                                 answers[q]), None, "chatd")
    for i in range(5):
        days[i % 2].event(ids(), "chat.call", chat_payload([{"role": "user", "content": "Hello? (#%d)" % i}], None,
                                                           error="all_providers_failed: ollama: HTTP 500"), None, "chatd")
    for i in range(20):
        d = days[i % 2]
        rid = "rq-%04d" % i
        query = "night %s shift near Columbus (#%d)" % (ROLES[i % 4], i)
        hits = [(j, "%s, night shift %d, Columbus warehouse %d." % (ROLES[i % 4].capitalize(), j + 1, i)) for j in range(3)]
        chat = chat_payload([{"role": "system", "content": "Answer from the passages."},
                             {"role": "user", "content": "Passages: ...\n\nQuestion: " + query}],
                            "Night shift 1 at Columbus warehouse %d [1]." % i)
        if i % 5 == 4:   # the chat call's observation arrived first
            d.event(ids(), "chat.call", chat, rid, "chatd")
            d.event(ids(), "retrieve", retrieve_payload(query, hits), rid, "matrixd")
        else:
            d.event(ids(), "retrieve", retrieve_payload(query, hits), rid, "matrixd")
            d.event(ids(), "chat.call", chat, rid, "chatd")
    for i in range(3):
        days[i % 2].event(ids(), "retrieve", retrieve_payload("day shift picker (#%d)" % i, [(0, "Picker packer, day shift.")]),
                          "rq-lone-%d" % i, "matrixd")
    for i in range(15):
        d = days[i % 2]
        ctx = {"order": order(i, ROLES[i % 4])}
        good = ["W%06d" % (10 + 2 * i), "W%06d" % (11 + 2 * i)]
        if i < 8:
            outputs = [(fill_output(good), [])]
        elif i < 13:
            outputs = [(fill_output(["W999999", good[0]]), [violation("phantom_worker", "worker_ids[0]",
                                                                       "worker W999999 is not on the roster")]),
                       (fill_output(good), [])]
        else:
            bad = [violation("role_mismatch", "worker_ids[0]", "W%06d is a picker packer" % (500 + i))]
            outputs = [(fill_output(["W%06d" % (500 + i)]), bad)] * 3
        iterate(d, ids, "it-fill-%02d" % i, "fill", outputs, "iq-fill-%02d" % i, ctx,
                "Staff order O-%04d with two %ss" % (i, ROLES[i % 4]))
    for i in range(8):
        d = days[i % 2]
        name = NAMES[i]
        ctx = {"to_worker_id": "W%06d" % (200 + i)}
        good = email_output("Your shift on Monday", "Hi %s, your shift starts Monday at 7:00. See you there." % name)
        outputs = [(good, [])] if i < 5 else [
            (email_output("Your shift", "Hi %s, the shift pays $19.50 an hour." % name),
             [violation("pay_disclosure", "body", "the body states a pay figure")]), (good, [])]
        iterate(d, ids, "it-mail-%02d" % i, "email", outputs, "iq-mail-%02d" % i, ctx, "Remind %s of Monday's shift" % name)
    for i in range(20):
        d = days[i % 2]
        if i % 2 == 0:
            valid = i % 4 == 0
            art = {"order": order(100 + i, "forklift operator"), "worker_ids": ["W%06d" % (30 + i)] if valid else ["W999998"]}
            vs = [] if valid else [violation("phantom_worker", "worker_ids[0]", "worker W999998 is not on the roster")]
            d.event(ids(), "validate", {"kind": "fill", "valid": valid, "artifact": art, "violations": vs, "took_ms": 0.04},
                    None, "validatord")
        else:
            valid = i % 4 == 1
            body = "Hi %s, see you Monday." % NAMES[i % 8] if valid else "Hi %s, the rate is $21 an hour." % NAMES[i % 8]
            art = {"to_worker_id": "W%06d" % (40 + i), "subject": "Monday", "body": body}
            vs = [] if valid else [violation("pay_disclosure", "body", "the body states a pay figure")]
            d.event(ids(), "validate", {"kind": "email", "valid": valid, "artifact": art, "violations": vs, "took_ms": 0.03},
                    None, "validatord")
    for i in range(6):
        days[i % 2].event(ids(), "truth.resolve", truth_payload("worker:W%06d" % (60 + i), "phone",
                                                                [("roster", "614-555-01%02d" % i), ("crm", "(614) 555-02%02d" % i)],
                                                                "614-555-01%02d" % i, "roster"), None, "truthd")
    for i in range(6):
        days[i % 2].event(ids(), "memory.playbook", playbook_payload(i, ROLES[i % 4], ["W%06d" % (10 + 2 * i), "W%06d" % (11 + 2 * i)]),
                          "iq-fill-%02d" % i, "pathwayd")
    days[1].raw('{"event_id":"ev-torn","ts":"2026-11-30T23:00:00Z","kind":"chat.call","payload":{"api":')
    days[1].event(ids(), "debug.ping", {"note": "a kind distilld makes no evidence of"}, None, "gateway")
    return {d.day: d.lines for d in days}


def pii_everywhere():
    d = Day("2026-11-30")
    ids = counter("pii")
    ssn = "123-45-6789"
    d.event(ids(), "chat.call", chat_payload([{"role": "user", "content": "My SSN is %s, am I registered?" % ssn}], "Yes."), None, "chatd")
    d.event(ids(), "chat.call", chat_payload([{"role": "user", "content": "What is Bo's number?"}],
                                             "Bo's SSN is 987 65 4321, call him at (937) 555-0142."), None, "chatd")
    d.event(ids(), "chat.call", chat_payload([{"role": "user", "content": "Contact for the site?"}],
                                             "Write to dana.k@example.com or call 614.555.0199."), None, "chatd")
    d.event(ids(), "chat.call", chat_payload([{"role": "user", "content": "Clean question"}], "A clean answer."), None, "chatd")
    ctx = {"to_worker_id": "W000201"}
    iterate(d, ids, "pii-mail-1", "email", [
        (email_output("Shift", "Hi Ana, call Bo at (937) 555-0142 or bo@example.com, SSN %s." % ssn),
         [violation("other_worker_contact", "body", "the body holds another worker's phone"), violation("ssn", "body", "an SSN")]),
        (email_output("Shift", "Hi Ana, your shift is Monday."), [])], "pq-1", ctx, "Tell Ana about Monday")
    iterate(d, ids, "pii-mail-2", "email", [
        (email_output("Shift", "Hi Eli, your SSN %s is on file." % ssn), [violation("ssn", "body", "an SSN")]),
        (email_output("Shift", "Hi Eli, reach me at coordinator@example.com."), [])], "pq-2", {"to_worker_id": "W000202"},
        "Tell Eli his papers are fine")
    iterate(d, ids, "pii-fill-1", "fill", [(fill_output(["W000010"]), [])], "pq-3",
            {"order": order(1, "forklift operator"), "note": "payroll SSN %s" % ssn}, "Staff order O-0001")
    d.event(ids(), "validate", {"kind": "email", "valid": False, "artifact": {"to_worker_id": "W000203", "subject": "s",
                                                                             "body": "SSN %s" % ssn},
                                "violations": [violation("ssn", "body", "an SSN")], "took_ms": 0.02}, None, "validatord")
    d.event(ids(), "validate", {"kind": "email", "valid": False, "artifact": {"to_worker_id": "W000204", "subject": "s",
                                                                             "body": "Call Gus at 614-555-0100"},
                                "violations": [violation("other_worker_contact", "body", "another worker's phone")],
                                "took_ms": 0.02}, None, "validatord")
    d.event(ids(), "retrieve", retrieve_payload("worker with SSN", [(0, "Worker Ana, SSN %s, forklift." % ssn)]), "pr-1", "matrixd")
    d.event(ids(), "chat.call", chat_payload([{"role": "user", "content": "who?"}], "Ana [1]."), "pr-1", "chatd")
    d.event(ids(), "retrieve", retrieve_payload("night forklift", [(0, "Forklift, night shift, call 614-555-0111.")]), "pr-2", "matrixd")
    d.event(ids(), "chat.call", chat_payload([{"role": "user", "content": "which?"}], "The night shift [1]; SSN %s." % ssn),
            "pr-2", "chatd")
    d.event(ids(), "truth.resolve", truth_payload("worker:W000070", "ssn", [("roster", ssn), ("crm", "123-45-6780")], ssn, "roster"),
            None, "truthd")
    d.event(ids(), "truth.resolve", truth_payload("worker:W000071", "email", [("roster", "a@example.com"), ("crm", "b@example.com")],
                                                  "a@example.com", "roster"), None, "truthd")
    pb = playbook_payload(9, "forklift operator", ["W000010"])
    pb["text"] += " Contact SSN %s." % ssn
    d.event(ids(), "memory.playbook", pb, "pq-9", "pathwayd")
    return {d.day: d.lines}


def malformed():
    d = Day("2026-11-30")
    ids = counter("mal")
    d.event(ids(), "chat.call", chat_payload([{"role": "user", "content": "A good line"}], "Fine."), None, "chatd")
    d.raw('{"event_id":"mal-bad-json","ts":')
    d.raw('not json at all')
    d.raw('[1,2,3]')
    d.raw('"a string"')
    d.raw('null')
    d.raw('{}')
    d.raw('{"ts":"2026-11-30T10:00:00Z","kind":"chat.call","payload":{}}')
    d.raw('{"event_id":"mal-no-ts","kind":"chat.call","payload":{}}')
    d.raw('{"event_id":"mal-bad-ts","ts":"yesterday","kind":"chat.call","payload":{}}')
    d.raw('{"event_id":"mal-bad-kind","ts":"2026-11-30T10:00:00Z","kind":"Chat Call!","payload":{}}')
    d.raw('{"event_id":"mal-payload-array","ts":"2026-11-30T10:00:00Z","kind":"chat.call","payload":[1]}')
    d.raw('{"event_id":"mal-payload-null","ts":"2026-11-30T10:00:00Z","kind":"chat.call","payload":null}')
    d.raw('{"event_id":"mal-id-object","ts":"2026-11-30T10:00:00Z","kind":"chat.call","payload":{},"event_id":"dup-key"}')
    d.raw('{"event_id":{"x":1},"ts":"2026-11-30T10:00:00Z","kind":"chat.call","payload":{}}')
    d.raw('{"event_id":"mal-deep","ts":"2026-11-30T10:00:00Z","kind":"chat.call","payload":{"x":' + "[" * 3000 + "]" * 3000 + '}}')
    d.raw('{"event_id":"mal-ctrl","ts":"2026-11-30T10:00:00Z","kind":"chat.call","payload":{"messages":[{"role":"user",'
          '"content":"bell\\u0007 nul\\u0000 esc\\u001b"}],"output":"ok\\u0001"}}')
    d.event(ids(), "iterate.attempt", {"iteration_id": "orphan", "n": 2, "kind": "fill", "output": "{}", "valid": True}, None,
            "validatord")
    d.event(ids(), "iterate.attempt", {"n": 1, "kind": "fill", "output": "{}", "valid": True}, None, "validatord")
    d.event(ids(), "iterate.attempt", {"iteration_id": "zero", "n": 0}, None, "validatord")
    d.event(ids(), "iterate.attempt", {"iteration_id": "strn", "n": "1"}, None, "validatord")
    d.event(ids(), "no.such.kind", {}, None, "test")
    d.event(ids(), "validate", {"kind": "fill", "valid": "yes", "artifact": None, "violations": "none"}, None, "validatord")
    d.event(ids(), "retrieve", {"query": None, "hits": "not a list"}, "mr-1", "matrixd")
    d.event(ids(), "truth.resolve", {"claims": {"a": 1}}, None, "truthd")
    d.event(ids(), "memory.playbook", {"playbook": None}, None, "pathwayd")
    d.event(ids(), "chat.call", {"messages": "not a list", "output": 42}, None, "chatd")
    d.event(ids(), "chat.call", {"messages": [None, 1, {"role": 7}], "output": "x" * 100000}, None, "chatd")
    d.raw('{"event_id":"mal-' + "a" * 200 + '","ts":"2026-11-30T10:00:00Z","kind":"chat.call","payload":{}}')
    d.raw("\u0000\u0001\u0002")
    d.raw("")
    d.raw('{"event_id":"mal-torn","ts":"2026-11-30T10:00:00Z","kind":"ch')   # torn tail: written without its newline below
    return {d.day: d.lines}


def no_successes():
    d = Day("2026-11-30")
    ids = counter("ns")
    for i in range(5):
        d.event(ids(), "chat.call", chat_payload([{"role": "user", "content": "Q%d" % i}], None, error="all_providers_failed"),
                None, "chatd")
    for i in range(3):
        bad = [violation("phantom_worker", "worker_ids[0]", "worker W999999 is not on the roster")]
        iterate(d, ids, "ns-fill-%d" % i, "fill", [(fill_output(["W999999"]), bad)] * 3, "nq-%d" % i,
                {"order": order(i, "forklift operator")}, "Staff order O-%04d" % i)
    for i in range(3):
        d.event(ids(), "retrieve", retrieve_payload("q%d" % i, [(0, "A passage %d." % i)]), "nr-%d" % i, "matrixd")
    d.event(ids(), "memory.playbook", {"memory_id": "playbook-x", "role": "picker packer",
                                       "playbook": {"order": order(9, "picker packer"), "workers": [], "outcome": "unfilled"}},
            None, "pathwayd")
    return {d.day: d.lines}


def duplicates():
    d = Day("2026-11-30")
    ids = counter("dup")
    chat = chat_payload([{"role": "user", "content": "Same question"}], "Same answer.")
    d.event("dup-a", "chat.call", chat, None, "chatd", ts="2026-11-30T10:00:00Z")
    d.lines.append(d.lines[-1])   # the very same line twice
    for i in range(3):
        d.event(ids(), "chat.call", chat, None, "chatd")   # the same content under new ids
    for rep in range(2):
        iterate(d, ids, "dup-fill", "fill", [(fill_output(["W000010"]), [])], "dq-%d" % rep,
                {"order": order(1, "forklift operator")}, "Staff order O-0001")
    v = {"kind": "fill", "valid": True, "artifact": {"order": order(2, "forklift operator"), "worker_ids": ["W000012"]},
         "violations": [], "took_ms": 0.04}
    for i in range(3):
        d.event(ids(), "validate", v, None, "validatord")
    d.event(ids(), "chat.call", chat_payload([{"role": "user", "content": "Another"}], "Another answer."), None, "chatd")
    return {d.day: d.lines}


def out_of_order():
    d1 = Day("2026-11-29")
    d2 = Day("2026-11-30")
    ids = counter("ooo")
    d2.event(ids(), "chat.call", chat_payload([{"role": "user", "content": "later first"}], "ok"), None, "chatd",
             ts="2026-11-30T18:00:00Z")
    d2.event(ids(), "chat.call", chat_payload([{"role": "user", "content": "earlier second"}], "ok too"), None, "chatd",
             ts="2026-11-30T07:00:00Z")
    d2.event(ids(), "chat.call", chat_payload([{"role": "user", "content": "from another day"}], "fine"), None, "chatd",
             ts="2026-11-28T12:00:00+02:00")
    # attempt 2 read before attempt 1: an orphan, then a run of one attempt
    ctx = {"order": order(3, "forklift operator")}
    prompt = [{"role": "system", "content": FILL_SYSTEM}, {"role": "user", "content": "Staff order O-0003\n\nContext:\n{}"}]
    d2.event(ids(), "iterate.attempt", {"iteration_id": "ooo-fill", "n": 2, "kind": "fill", "instruction": "Staff order O-0003",
                                        "context": ctx, "prompt": prompt, "output": fill_output(["W000010"]), "violations": [],
                                        "valid": True, "provider": "ollama", "model": "qwen2.5:7b"}, "oq-1", "validatord",
             ts="2026-11-30T09:00:02Z")
    d2.event(ids(), "iterate.attempt", {"iteration_id": "ooo-fill", "n": 1, "kind": "fill", "instruction": "Staff order O-0003",
                                        "context": ctx, "prompt": prompt, "output": fill_output(["W999999"]),
                                        "violations": [violation("phantom_worker", "worker_ids[0]", "no W999999")],
                                        "valid": False, "provider": "ollama", "model": "qwen2.5:7b"}, "oq-1", "validatord",
             ts="2026-11-30T09:00:01Z")
    # a chat call before the retrieval it answered from, the two a day file apart
    d1.event(ids(), "chat.call", chat_payload([{"role": "user", "content": "night shift?"}], "Night shift 1 [1]."), "or-1", "chatd",
             ts="2026-11-29T23:59:59Z")
    d2.event(ids(), "retrieve", retrieve_payload("night shift", [(0, "Forklift, night shift 1.")]), "or-1", "matrixd",
             ts="2026-11-29T23:59:58Z")
    d1.event(ids(), "validate", {"kind": "fill", "valid": True, "artifact": {"order": order(4, "forklift operator"),
                                                                             "worker_ids": ["W000020"]},
                                 "violations": [], "took_ms": 0.04}, None, "validatord", ts="2026-11-29T06:00:00Z")
    return {d1.day: d1.lines, d2.day: d2.lines}


def write(name, days):
    obs = os.path.join(ROOT, name, "observations")
    os.makedirs(obs, exist_ok=True)
    for day, lines in days.items():
        with open(os.path.join(obs, day + ".jsonl"), "wb") as f:
            for i, line in enumerate(lines):
                torn = name == "malformed" and i == len(lines) - 1
                f.write(line.encode("utf-8", "surrogatepass"))
                if not torn:
                    f.write(b"\n")
            if name == "malformed":
                pass
    print("wrote", name, sum(len(v) for v in days.values()), "lines")


if __name__ == "__main__":
    sets = {"realistic": realistic(), "pii_everywhere": pii_everywhere(), "malformed": malformed(),
            "no_successes": no_successes(), "duplicates": duplicates(), "out_of_order": out_of_order()}
    for n, days in sets.items():
        write(n, days)
    # one line of bytes that are not UTF-8, in the malformed set
    with open(os.path.join(ROOT, "malformed", "observations", "2026-11-29.jsonl"), "wb") as f:
        f.write(b'{"event_id":"mal-latin1","ts":"2026-11-29T10:00:00Z","kind":"chat.call","payload":{"output":"caf\xe9"}}\n')
        f.write(b'\xff\xfe\xfd\n')
