#!/usr/bin/env python3
"""How fast the web console's customer managed keys page shows with many keys.

Drives Debian's Chromium (headless) through chromedriver's WebDriver HTTP API (standard library
only), against a running server:

    bench/console/keys_page.py http://127.0.0.1:4612 [pages]

Prints, in milliseconds measured inside the page (performance.now()): sign-in to the first page
shown, each next page, the state filter, and the tag filter's first use on a page (25
ListResourceTags). bench/console/keys-page.sh seeds a server with 100,000 keys and runs it.
"""
import json
import socket
import subprocess
import sys
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        answer = json.load(response)
    if isinstance(answer.get("value"), dict) and "error" in answer["value"]:
        raise RuntimeError(answer["value"])
    return answer.get("value")


def main():
    origin = sys.argv[1].rstrip("/")
    pages = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    port = free_port()
    driver = subprocess.Popen(["/usr/bin/chromedriver", f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                call(base, "GET", "/status")
                break
            except OSError:
                time.sleep(0.1)
        session = call(base, "POST", "/session", {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-dev-shm-usage", "--window-size=1280,1000"]}}}})["sessionId"]
        s = f"/session/{session}"
        call(base, "POST", s + "/timeouts", {"script": 120000})
        call(base, "POST", s + "/url", {"url": origin + "/console/"})
        time.sleep(1)

        def run(script):
            return call(base, "POST", s + "/execute/async", {"script": script, "args": []})

        def until_status(action, prefix):
            """Runs the action in the page and times it until the status line starts with prefix."""
            return run(f"""
const done = arguments[0];
const start = performance.now();
{action}
(function poll() {{
  const text = document.querySelector('main p.status')?.textContent ?? '';
  if (text.startsWith('{prefix}')) {{ done([performance.now() - start, text]); }} else {{ setTimeout(poll, 2); }}
}})();
""")

        signin = until_status("""
document.querySelector('input[name=accessKeyId]').value = 'test';
document.querySelector('input[name=secretAccessKey]').value = 'test';
document.querySelector('main form').requestSubmit();""", "Page 1:")
        print(f"sign-in to first page shown: {signin[0]:.0f} ms ({signin[1]})")
        for page in range(2, pages + 1):
            elapsed = until_status("[...document.querySelectorAll('main .pager button')].find(b => b.textContent === 'Next page').click();", f"Page {page}:")
            print(f"next page {page}: {elapsed[0]:.0f} ms")
        state = run("""
const done = arguments[0];
const start = performance.now();
const select = document.querySelector('select[name=state]');
select.value = 'Disabled';
select.dispatchEvent(new Event('change'));
done([performance.now() - start, document.querySelectorAll('main tbody tr').length]);
""")
        print(f"state filter Disabled: {state[0]:.1f} ms ({state[1]} rows of this page)")
        tag = run("""
const done = arguments[0];
const start = performance.now();
const select = document.querySelector('select[name=state]');
select.value = '';
select.dispatchEvent(new Event('change'));
const input = document.querySelector('input[name=tag]');
input.value = 'team=payments';
input.dispatchEvent(new Event('input'));
(function poll() {
  if (!document.querySelector('main tbody').textContent.includes('Reading the tags')) {
    done([performance.now() - start, document.querySelectorAll('main tbody td a').length]);
  } else { setTimeout(poll, 2); }
})();
""")
        print(f"tag filter team=payments, first use on the page: {tag[0]:.0f} ms ({tag[1]} keys of this page)")
        call(base, "DELETE", s)
    finally:
        driver.terminate()
        driver.wait()


if __name__ == "__main__":
    main()
