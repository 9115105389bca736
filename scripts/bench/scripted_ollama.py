#!/usr/bin/env python3
"""A scripted Ollama for the benches: POST /api/chat answers after a fixed delay, like a model that takes that long.
A fill prompt gets {"worker_ids":[...]}, an e-mail prompt a subject and body, anything else one sentence.
    python3 scripts/bench/scripted_ollama.py PORT DELAY_MS
"""
import json
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DELAY = int(sys.argv[2]) / 1000.0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # headers and body go out as two writes: without this, Nagle holds the second for the client's delayed ACK (~40 ms)
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        text = json.dumps(body.get("messages", []))
        if "You staff orders" in text:
            answer = json.dumps({"worker_ids": ["W000010", "W000011"]})
        elif "You write e-mails" in text:
            answer = json.dumps({"subject": "Monday", "body": "Hi, see you Monday."})
        else:
            answer = "Night shift 3 suits you."
        time.sleep(DELAY)
        out = json.dumps({"model": body.get("model", "m"), "message": {"role": "assistant", "content": answer}, "done": True,
                          "done_reason": "stop", "prompt_eval_count": 20, "eval_count": 8}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
