#!/usr/bin/env python3
"""The benchmarks' loopback SSE server: every POST gets the same stream of N chat-completion
content chunks ("tok0 ", "tok1 ", ...), each its own HTTP chunk, then a usage chunk and [DONE],
with DELAY_MS milliseconds between chunks (0: as fast as the socket takes them). With VOCAB,
the words repeat every VOCAB chunks ("tok0 " ... "tok499 ", "tok0 " ...), as a real answer's
vocabulary does; without it every word is distinct, the full-text index's worst case.
Usage: sse-server.py PORT N [DELAY_MS [VOCAB]]"""
import http.server
import socketserver
import sys
import time

port, n = int(sys.argv[1]), int(sys.argv[2])
delay = float(sys.argv[3]) / 1000 if len(sys.argv) > 3 else 0.0
vocab = int(sys.argv[4]) if len(sys.argv) > 4 else n
events = [b'data: {"id":"b","object":"chat.completion.chunk","model":"bench","choices":[{"index":0,"delta":{"content":"tok%d "},"finish_reason":null}]}\n\n' % (i % vocab) for i in range(n)]
events.append(b'data: {"id":"b","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":%d,"total_tokens":%d}}\n\ndata: [DONE]\n\n' % (n, n + 5))
frames = [b"%x\r\n%s\r\n" % (len(e), e) for e in events]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        for frame in frames:
            self.wfile.write(frame)
            self.wfile.flush()
            if delay:
                time.sleep(delay)
        self.wfile.write(b"0\r\n\r\n")

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    daemon_threads = True


Server(("127.0.0.1", port), Handler).serve_forever()
