#!/usr/bin/env python3
"""Answerfile servers on the loopback that fail the ways real ones do.

usage: fetch-server.py DIR

Makes a test CA and certificates in DIR (ca.pem is the CA to trust), starts
the servers and prints one line of ports, then serves until killed:

  http=P https=P self-signed=P wrong-host=P expired=P silent=P

http and https serve the same paths; self-signed, wrong-host and expired are
https servers whose certificate does not verify (signed by nobody, for
another name, out of date); silent is a port that takes no connection (its
queue is full), so a client waits until its connect timeout.
"""
import base64
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ANSWERFILE = b"<installation/>\n"
ports = {}
flaky_count = {}


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def make_certificates(d):
    """ca.pem, and a key and certificate per server: {name}.key, {name}.pem."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    p = lambda name: os.path.join(d, name)
    openssl("req", "-x509", *ec, "-keyout", p("ca.key"), "-out", p("ca.pem"), "-days", "2",
            "-subj", "/CN=xsraid test CA")
    # name: (SAN, days; 0 means self-signed)
    certs = {
        "good": ("IP:127.0.0.1,DNS:localhost", 2),
        "wrong-host": ("DNS:wrong.example", 2),
        "expired": ("IP:127.0.0.1,DNS:localhost", -1),
        "self-signed": ("IP:127.0.0.1,DNS:localhost", 0),
    }
    for serial, (name, (san, days)) in enumerate(certs.items(), start=2):
        if days == 0:
            openssl("req", "-x509", *ec, "-keyout", p(name + ".key"), "-out", p(name + ".pem"),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=" + san)
            continue
        openssl("req", "-new", *ec, "-keyout", p(name + ".key"), "-out", p(name + ".csr"),
                "-subj", "/CN=" + name)
        with open(p(name + ".ext"), "w") as f:
            f.write("subjectAltName=" + san + "\n")
        openssl("x509", "-req", "-in", p(name + ".csr"), "-CA", p("ca.pem"), "-CAkey",
                p("ca.key"), "-set_serial", str(serial), "-days", str(days), "-extfile",
                p(name + ".ext"), "-out", p(name + ".pem"))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def send(self, code, body=b"", headers=()):
        self.send_response(code)
        self.send_header("Content-Type", "text/xml")
        for k, v in headers:
            self.send_header(k, v)
        if body is not None:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def redirect(self, location):
        self.send(302, b"", [("Location", location)])

    def do_GET(self):
        path = self.path
        scheme = "https" if isinstance(self.connection, ssl.SSLSocket) else "http"
        if path == "/ok":
            self.send(200, ANSWERFILE)
        elif path == "/flaky":
            # Two 503s, then the file: what a web server still starting looks like.
            n = flaky_count.get(scheme, 0)
            flaky_count[scheme] = n + 1
            self.send(503) if n < 2 else self.send(200, ANSWERFILE)
        elif path == "/big":
            self.send(200, b" " * (2 << 20))
        elif path == "/big-unannounced":
            # No Content-Length: the size is only known while it arrives.
            self.send(200, None)
            for _ in range(64):
                self.wfile.write(b" " * 65536)
        elif path == "/stall":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.flush()
            time.sleep(3600)
        elif path == "/trickle":
            # 10 bytes a second: alive, but far below any useful speed.
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for _ in range(100000):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.1)
        elif path == "/endless":
            # Fast enough never to trip a low-speed limit, but it never ends.
            self.send_response(200)
            self.end_headers()
            for _ in range(100000):
                self.wfile.write(b" " * 4096)
                self.wfile.flush()
                time.sleep(0.1)
        elif path == "/moved":
            self.redirect("/ok")
        elif path == "/loop":
            self.redirect("/loop")
        elif path == "/loop-a":
            self.redirect("/loop-b")
        elif path == "/loop-b":
            self.redirect("/loop-a")
        elif path.startswith("/hop/"):
            n = int(path[5:])
            self.redirect("/ok" if n >= 9 else "/hop/%d" % (n + 1))
        elif path == "/to-file":
            self.redirect("file:///etc/passwd")
        elif path == "/to-http":
            self.redirect("http://127.0.0.1:%d/ok" % ports["http"])
        elif path == "/to-ftp":
            self.redirect("ftp://127.0.0.1:%d/ok" % ports["http"])
        elif path == "/to-https":
            self.redirect("https://127.0.0.1:%d/ok" % ports["https"])
        elif path == "/to-https-to-http":
            self.redirect("https://127.0.0.1:%d/to-http" % ports["https"])
        elif path == "/auth":
            want = "Basic " + base64.b64encode(b"admin:s3cret").decode()
            if self.headers.get("Authorization") == want:
                self.send(200, ANSWERFILE)
            else:
                self.send(401, b"", [("WWW-Authenticate", 'Basic realm="pxe"')])
        else:
            self.send(404)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients that give up (timeouts, refused certificates) are the point


def serve(name, certificate=None, directory=None):
    httpd = Server(("127.0.0.1", 0), Handler)
    if certificate:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(directory, certificate + ".pem"),
                            os.path.join(directory, certificate + ".key"))
        httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    ports[name] = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()


def silent_port():
    """A listening port whose one-connection queue is already full: SYNs are dropped."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(0)
    filler = socket.create_connection(s.getsockname())
    ports["silent"] = s.getsockname()[1]
    return s, filler


def main():
    directory = sys.argv[1]
    make_certificates(directory)
    serve("http")
    serve("https", "good", directory)
    serve("self-signed", "self-signed", directory)
    serve("wrong-host", "wrong-host", directory)
    serve("expired", "expired", directory)
    keep = silent_port()
    names = ["http", "https", "self-signed", "wrong-host", "expired", "silent"]
    print(" ".join("%s=%d" % (n, ports[n]) for n in names), flush=True)
    while keep:
        time.sleep(3600)


if __name__ == "__main__":
    main()
