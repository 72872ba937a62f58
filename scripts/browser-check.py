#!/usr/bin/env python3
"""Drives headless Chromium through the DevTools protocol against `dl-verify serve`'s page.

    browser-check.py --chromium /usr/bin/chromium --url http://127.0.0.1:PORT/ \\
        --valid-png A.png --revoked-png B.png --camera-y4m C.y4m --out DIR \\
        [--width 390 --height 844] [--timeout 60]

Three scenarios on a phone-sized viewport: the valid photo chosen in #file, the revoked one,
and the camera (Chromium's fake camera playing C.y4m). For each it waits until #app's
data-state is done or error, reads #verdict, #reason and #fields and saves a screenshot in
DIR (valid.png, revoked.png, camera.png). Prints one JSON object on stdout:

    {"valid": {"state", "verdict", "data_verdict", "verdict_label", "reason", "fields",
               "message", "camera_stopped", "screenshot"},
     "revoked": {...}, "camera": {...},
     "console_errors": [...],    # console.error, uncaught exceptions, Log errors (CSP included)
     "csp_violations": [...],    # securitypolicyviolation events seen by the page
     "network_errors": [...]}    # "Failed to load resource" lines (e.g. 422 for camera frames)

Exits 0 when the scenarios ran (the caller judges the verdicts), 2 with a message on stderr
when Chromium could not be started, the protocol failed or the timeout was reached.
Standard library only: the WebSocket client below is just enough for the DevTools protocol.
"""
import argparse, base64, hashlib, json, os, select, shutil, signal, socket, struct, subprocess
import sys, tempfile, time, urllib.parse, urllib.request


class Failure(Exception):
    pass


class Deadline:
    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def left(self, cap=None):
        left = self.end - time.monotonic()
        if left <= 0:
            raise Failure("timed out")
        return min(left, cap) if cap else left


# ---- WebSocket (RFC 6455), client side ----------------------------------------------------------

class WebSocket:
    GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    def __init__(self, url, deadline):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "ws":
            raise Failure(f"unsupported WebSocket URL {url}")
        self.deadline = deadline
        self.sock = socket.create_connection((parts.hostname, parts.port or 80), timeout=deadline.left(10))
        self.buffer = b""
        key = base64.b64encode(os.urandom(16))
        path = parts.path + ("?" + parts.query if parts.query else "")
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\n"
                           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key.decode()}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        while b"\r\n\r\n" not in self.buffer:
            self._more()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        if len(lines[0].split()) < 2 or lines[0].split()[1] != "101":
            raise Failure(f"WebSocket handshake refused: {lines[0]}")
        fields = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
        expected = base64.b64encode(hashlib.sha1(key + self.GUID).digest()).decode()
        if fields.get("sec-websocket-accept") != expected:
            raise Failure("WebSocket handshake: wrong Sec-WebSocket-Accept")

    def _more(self):
        self.sock.settimeout(self.deadline.left(30))
        try:
            chunk = self.sock.recv(1 << 16)
        except socket.timeout:
            raise Failure("timed out reading from Chromium")
        if not chunk:
            raise Failure("Chromium closed the DevTools connection")
        self.buffer += chunk

    def _take(self, n):
        while len(self.buffer) < n:
            self._more()
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    @staticmethod
    def _mask(data, key):
        if not data:
            return data
        n = len(data)
        keys = (key * (n // 4 + 1))[:n]
        return (int.from_bytes(data, "big") ^ int.from_bytes(keys, "big")).to_bytes(n, "big")

    def _send_frame(self, opcode, payload):
        n = len(payload)
        head = bytes([0x80 | opcode])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 1 << 16:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        key = os.urandom(4)
        self.sock.settimeout(self.deadline.left(30))
        self.sock.sendall(head + key + self._mask(payload, key))

    def send_text(self, text):
        self._send_frame(0x1, text.encode())

    def recv(self, wait):
        """The next text message, or None if no frame starts within `wait` seconds."""
        if not self.buffer:
            ready, _, _ = select.select([self.sock], [], [], max(0.0, min(wait, self.deadline.left())))
            if not ready:
                return None
        message = b""
        while True:
            b0, b1 = self._take(2)
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._take(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._take(8))[0]
            key = self._take(4) if b1 & 0x80 else None
            payload = self._take(n)
            if key:
                payload = self._mask(payload, key)
            if opcode == 0x8:
                raise Failure("Chromium closed the DevTools connection")
            if opcode == 0x9:
                self._send_frame(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            message += payload
            if b0 & 0x80:
                return message.decode("utf-8", "replace")

    def close(self):
        try:
            self._send_frame(0x8, struct.pack(">H", 1000))
        except Exception:
            pass
        self.sock.close()


# ---- DevTools protocol ------------------------------------------------------------------------------

class DevTools:
    def __init__(self, ws, deadline):
        self.ws, self.deadline, self.next_id = ws, deadline, 0
        self.console_errors, self.network_errors, self.events = [], [], []

    def _event(self, message):
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            self._record(self.console_errors, f"console.{params.get('type')}: {text}")
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get("text", "")
            self._record(self.console_errors, f"exception: {text}")
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            if entry.get("level") == "error":
                text = f"{entry.get('source')}: {entry.get('text')}" + (f" ({entry['url']})" if entry.get("url") else "")
                is_http = entry.get("source") == "network" and "Failed to load resource" in entry.get("text", "")
                self._record(self.network_errors if is_http else self.console_errors, text)
        elif method:
            self.events.append(method)

    @staticmethod
    def _record(into, text):
        if len(into) < 100 and text not in into:
            into.append(text[:1000])

    def pump(self, seconds):
        """Handles events for up to `seconds`."""
        end = time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            raw = self.ws.recv(left)
            if raw is None:
                return
            self._event(json.loads(raw))

    def call(self, method, params=None, wait=30):
        self.next_id += 1
        ident = self.next_id
        self.ws.send_text(json.dumps({"id": ident, "method": method, "params": params or {}}))
        end = time.monotonic() + wait
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise Failure(f"no answer to {method} within {wait} s")
            raw = self.ws.recv(left)
            if raw is None:
                continue
            message = json.loads(raw)
            if message.get("id") == ident:
                if "error" in message:
                    raise Failure(f"{method}: {message['error'].get('message')} {message['error'].get('data', '')}".strip())
                return message.get("result", {})
            self._event(message)

    def wait_event(self, method, wait):
        end = time.monotonic() + wait
        while method not in self.events:
            left = end - time.monotonic()
            if left <= 0:
                return False
            self.pump(min(left, 0.2))
        return True

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise Failure(f"evaluating {expression[:60]}…: {result['exceptionDetails'].get('text')}")
        return result.get("result", {}).get("value")


# ---- Chromium -----------------------------------------------------------------------------------------

def http_json(url, method="GET", wait=5):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(urllib.request.Request(url, method=method), timeout=wait) as response:
        return json.load(response)


def launch(args, root, deadline):
    profile = os.path.join(root, "profile")
    os.mkdir(profile)
    log = open(os.path.join(root, "chromium.log"), "wb")
    command = [args.chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--no-first-run", "--no-default-browser-check", "--disable-extensions",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--mute-audio", "--password-store=basic", "--use-mock-keychain", f"--lang={args.lang}",
               f"--accept-lang={args.lang}", f"--user-data-dir={profile}", "--remote-debugging-port=0",
               "--remote-allow-origins=*", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
               f"--use-file-for-fake-video-capture={os.path.abspath(args.camera_y4m)}",
               f"--window-size={args.width},{args.height}", "about:blank"]
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    except OSError as error:
        raise Failure(f"cannot start {args.chromium}: {error}")
    port_file = os.path.join(profile, "DevToolsActivePort")
    while True:
        if process.poll() is not None:
            raise Failure(f"Chromium exited with status {process.returncode}: {tail(root)}")
        try:
            with open(port_file) as f:
                lines = f.read().split("\n")
            if len(lines) >= 2 and lines[0].strip().isdigit():
                return process, int(lines[0])
        except FileNotFoundError:
            pass
        if time.monotonic() > deadline.end:
            raise Failure(f"Chromium wrote no DevToolsActivePort: {tail(root)}")
        time.sleep(0.1)


def tail(root):
    try:
        with open(os.path.join(root, "chromium.log"), "rb") as f:
            return f.read()[-1500:].decode("utf-8", "replace").strip() or "(no output)"
    except OSError:
        return "(no log)"


def stop(process):
    if process is None or process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            pass


def page_target(port, deadline):
    while True:
        try:
            targets = http_json(f"http://127.0.0.1:{port}/json/list", wait=deadline.left(5))
            pages = [t for t in targets if t.get("type") == "page" and t.get("webSocketDebuggerUrl")]
            if pages:
                return pages[0]["webSocketDebuggerUrl"]
            return http_json(f"http://127.0.0.1:{port}/json/new?about:blank", method="PUT", wait=deadline.left(5))["webSocketDebuggerUrl"]
        except (OSError, ValueError, KeyError):
            if time.monotonic() > deadline.end - 1:
                raise
            time.sleep(0.2)


# ---- Scenarios ----------------------------------------------------------------------------------------

# Collects CSP violations from the page's own point of view (runs before the page's scripts,
# outside its CSP).
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
    (e.sourceFile ? " at " + e.sourceFile + ":" + e.lineNumber : ""));
});
"""

READ = """(() => {
  const q = (s) => document.querySelector(s);
  const text = (s) => (q(s) && !q(s).closest("[hidden]") ? q(s).innerText.trim() : "");
  return {state: q("#app") ? q("#app").dataset.state : null, verdict: text("#verdict"),
          data_verdict: q("#verdict") && q("#verdict").dataset.verdict || null, verdict_label: text("#verdict-label"),
          reason: text("#reason"), fields: text("#fields"), message: text("#message"),
          camera_stopped: q("#camera") ? q("#camera").hidden &&
            !(q("#camera").srcObject && q("#camera").srcObject.getTracks().some((t) => t.readyState === "live")) : null,
          csp: window.__cspViolations || []};
})()"""


def load(cdp, url, wait):
    cdp.events.clear()
    cdp.call("Page.navigate", {"url": url})
    if not cdp.wait_event("Page.loadEventFired", wait):
        raise Failure(f"the page {url} did not load within {wait:.0f} s")
    end = time.monotonic() + wait
    while cdp.evaluate("document.readyState === 'complete' && !!document.querySelector('#app[data-state]')") is not True:
        if time.monotonic() > end:
            raise Failure("the page has no #app[data-state]")
        cdp.pump(0.1)


def settle(cdp, wait):
    """Waits until #app's data-state is done or error; returns what the page shows."""
    end = time.monotonic() + wait
    while True:
        shown = cdp.evaluate(READ)
        if shown["state"] in ("done", "error") or time.monotonic() > end:
            cdp.pump(0.3)  # let late console messages arrive
            return cdp.evaluate(READ)
        cdp.pump(0.1)


def scenario(cdp, args, name, start, csp, wait):
    load(cdp, args.url, wait)
    start()
    shown = settle(cdp, wait)
    for violation in shown.pop("csp"):
        if violation not in csp:
            csp.append(violation)
    shot = base64.b64decode(cdp.call("Page.captureScreenshot", {"format": "png"})["data"])
    path = os.path.join(os.path.abspath(args.out), f"{name}.png")
    with open(path, "wb") as f:
        f.write(shot)
    shown["screenshot"] = path
    return shown


def choose_file(cdp, path):
    root = cdp.call("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    node = cdp.call("DOM.querySelector", {"nodeId": root, "selector": "#file"})["nodeId"]
    if not node:
        raise Failure("the page has no #file")
    cdp.call("DOM.setFileInputFiles", {"nodeId": node, "files": [os.path.abspath(path)]})


def run(args, deadline):
    root = tempfile.mkdtemp(prefix="dl-verify-browser-")
    process = ws = None
    try:
        process, port = launch(args, root, deadline)
        ws = WebSocket(page_target(port, deadline), deadline)
        cdp = DevTools(ws, deadline)
        for domain in ("Page", "Runtime", "Log", "DOM"):
            cdp.call(f"{domain}.enable")
        cdp.call("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH_CSP})
        cdp.call("Emulation.setDeviceMetricsOverride",
                 {"width": args.width, "height": args.height, "deviceScaleFactor": 1, "mobile": True})
        wait = max(5.0, args.timeout / 4)
        csp, report = [], {}
        report["valid"] = scenario(cdp, args, "valid", lambda: choose_file(cdp, args.valid_png), csp, wait)
        report["revoked"] = scenario(cdp, args, "revoked", lambda: choose_file(cdp, args.revoked_png), csp, wait)
        report["camera"] = scenario(cdp, args, "camera",
                                    lambda: cdp.evaluate("document.querySelector('#camera-start').click()"), csp, wait)
        cdp.evaluate("document.querySelector('#camera-stop') && document.querySelector('#camera-stop').click()")
        cdp.pump(0.2)
        report["console_errors"] = cdp.console_errors
        report["csp_violations"] = csp
        report["network_errors"] = cdp.network_errors
        return report
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)  # nothing may interrupt the clean-up
        if ws is not None:
            ws.close()
        stop(process)
        shutil.rmtree(root, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--url", required=True)
    parser.add_argument("--valid-png", required=True)
    parser.add_argument("--revoked-png", required=True)
    parser.add_argument("--camera-y4m", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--width", type=int, default=390)
    parser.add_argument("--height", type=int, default=844)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--lang", default="en-US", help="the browser's language (default en-US)")
    args = parser.parse_args()
    for path in (args.valid_png, args.revoked_png, args.camera_y4m):
        if not os.path.isfile(path):
            sys.exit(f"browser-check: no such file: {path}")
    os.makedirs(args.out, exist_ok=True)
    deadline = Deadline(args.timeout)

    def overtime(signum, frame):
        raise Failure(f"timed out after {args.timeout:.0f} s")
    signal.signal(signal.SIGALRM, overtime)
    # Stopped by the caller (a test's own timeout): fail the same way, so Chromium is stopped.
    def stopped(signum, frame):
        raise Failure(f"stopped by signal {signum}")
    signal.signal(signal.SIGTERM, stopped)
    signal.setitimer(signal.ITIMER_REAL, args.timeout + 5)  # a backstop for a blocking call
    try:
        report = run(args, deadline)
    except (Failure, OSError, ValueError, KeyError) as error:
        print(f"browser-check: {error}", file=sys.stderr)
        sys.exit(2)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
