"""Browser test of the web client (run by scripts/browser-test, which starts the broker and the engine).

Alice (headless Chromium, desktop size) and Bob (headless Chromium, 390x844 phone size) sign in on the
page; Carol speaks MQTT through mosquitto_pub/mosquitto_sub. They chat in one room; the test checks each
browser's DOM and Carol's inbox: grouping, an @mention and a link, reactions (long press on the phone),
an edit, a thread, a picture whose loading keeps the newest message in view (desktop and phone, also
after a reload that reopens the remembered room), the "New messages" divider and the unread count in
the title, typing and presence, a reconnect across an engine restart (composer text and open thread
kept; what Carol posted, edited, deleted and reacted while the pages were away shows up without a
reload: `sync`), room settings (describe, rename, lock, slow mode, promote and demote, kick, ban,
archive), blocking from the member list (and `users/blocked` after a reload), an invitation declined,
then one accepted after a reload, unread badges cleared by a read on another device (`read_updated`),
search across rooms, a direct message started by user id, a confirmed leave without an error, and
distinct messages for a refused token and a server that is down. The console must stay free of errors (outside the deliberate outage) and never show a token;
axe-core finds no serious or critical violation. It saves a desktop and a phone screenshot and measures
the first load on a throttled phone profile.

Environment: CHAT_BASE_URL, CHAT_MQTT_PORT, CHAT_{ALICE,BOB,CAROL}_TOKEN, CHAT_SCREENSHOT,
CHAT_SCREENSHOT_NARROW, CHAT_ENGINE_COMMAND (JSON argv), CHAT_ENGINE_PIDFILE, CHAT_ENGINE_LOG.
"""

import base64
import hashlib
import hmac
import json
import os
import re
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import (ElementClickInterceptedException, ElementNotInteractableException,
                                        NoSuchElementException, StaleElementReferenceException, TimeoutException)
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ["CHAT_BASE_URL"]
MQTT_PORT = os.environ["CHAT_MQTT_PORT"]
TOKENS = {name: os.environ[f"CHAT_{name.upper()}_TOKEN"] for name in ("alice", "bob", "carol")}
SCREENSHOT = os.environ.get("CHAT_SCREENSHOT", "docs/web-client.png")
SCREENSHOT_NARROW = os.environ.get("CHAT_SCREENSHOT_NARROW", "docs/web-client-phone.png")
ENGINE_COMMAND = json.loads(os.environ["CHAT_ENGINE_COMMAND"])
ENGINE_PIDFILE = os.environ["CHAT_ENGINE_PIDFILE"]
ENGINE_LOG = os.environ["CHAT_ENGINE_LOG"]
WAIT = 15


def browser(width, height):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={width},{height}", "--lang=en-US", "--force-prefers-reduced-motion"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    # The viewport is set exactly (a headless window is at least 500 px wide and loses some height to its
    # frame); a phone is emulated with touch.
    phone = width < 500
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 2 if phone else 1, "mobile": phone})
    if phone:
        driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
    driver.set_page_load_timeout(WAIT)
    driver.console = []  # every console entry seen so far (get_log drains Chromium's buffer)
    return driver


def console(driver):
    """New console entries since the last call (also kept in driver.console)."""
    entries = driver.get_log("browser")
    driver.console.extend(entries)
    return entries


def errors(entries):
    return [entry["message"] for entry in entries if entry["level"] == "SEVERE"]


def wait(driver, what, condition, timeout=WAIT):
    # The page re-renders lists on events, so an element found a moment ago can be gone: a stale read
    # is retried, not taken for a failure.
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1,
                             ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
                             ).until(lambda d: condition(d))
    except Exception as error:
        logs = "\n".join(entry["message"] for entry in console(driver))
        reason = "timed out" if isinstance(error, TimeoutException) else f"{type(error).__name__}: {error}"
        raise AssertionError(f"{reason} waiting for {what}\nbrowser log:\n{logs}") from None


def js(driver, script, *args):
    return driver.execute_script(script, *args)


def visible(driver, element_id):
    return js(driver, "const n = document.getElementById(arguments[0]); return !!n && n.checkVisibility({visibilityProperty: true})", element_id)


def sign_in_with_form(driver, token):
    driver.get(BASE + "/")
    field = wait(driver, "the sign-in form", lambda d: d.find_element(By.ID, "token-input"))
    field.send_keys(token)
    driver.find_element(By.ID, "sign-in").click()
    wait(driver, "the chat view", lambda d: visible(d, "chat-view"))


def click(driver, css, what):
    """Clicks the element `css`, finding it again if a re-render replaced it in between, and trying
    again while it is not yet shown or something (a closing dialog, a sliding sidebar) is over it."""
    def attempt(d):
        try:
            d.find_element(By.CSS_SELECTOR, css).click()
            return True
        except (ElementNotInteractableException, ElementClickInterceptedException):
            return False
    wait(driver, what, attempt)


def message_texts(driver, pane="messages"):
    # One script call reads the whole list, so a re-render between reads cannot leave a stale element.
    return js(driver, "return [...document.querySelectorAll(arguments[0])].map((node) => node.innerText)",
              f"#{pane} .message .content")


def has_text(driver, text, pane="messages"):
    return any(text in content for content in message_texts(driver, pane))


def message_node(driver, text):
    return next((node for node in driver.find_elements(By.CSS_SELECTOR, "#messages .message:not(.system)")
                 if text in node.text), None)


def act_on_message(driver, text, *selectors, long_press=False):
    """Opens the actions of the message containing `text` (hover on desktop; a long press, which
    Chromium reports as contextmenu, on the phone) and clicks `selectors` in turn."""
    def attempt(d):
        node = message_node(d, text)
        if node is None:
            return False
        js(d, "arguments[0].scrollIntoView({block: 'center'})", node)
        if long_press:
            ActionChains(d).context_click(node).perform()
        else:
            ActionChains(d).move_to_element(node).perform()
        for selector in selectors:
            message_node(d, text).find_element(By.CSS_SELECTOR, selector).click()  # found again: a click may re-render
        return True
    wait(driver, f"{' then '.join(selectors)} on the message {text!r}", attempt)


def open_sidebar(driver):
    if not js(driver, "return document.body.classList.contains('sidebar-open')"):
        driver.find_element(By.ID, "toggle-sidebar").click()
    wait(driver, "the sidebar", lambda d: visible(d, "open-add-room"))
    time.sleep(0.2)  # the slide-in transition


def retry_seconds(driver):
    """The seconds the reconnect banner counts down to the next attempt (0 when it does not count)."""
    text = js(driver, "const b = document.getElementById('banner'); return b.hidden ? '' : b.innerText")
    match = re.search(r"Reconnecting in (\d+) s", text)
    return int(match.group(1)) if match else 0


def dialog_open(driver, dialog_id):
    return js(driver, "return document.getElementById(arguments[0]).open", dialog_id)


def open_settings(driver):
    """The room settings (the button shows once the page knows from the member list that one is an admin)."""
    wait(driver, "the settings button", lambda d: visible(d, "room-settings"))
    click(driver, "#room-settings", "the settings button")
    wait(driver, "the settings dialog", lambda d: dialog_open(d, "settings-dialog"))


def confirm(driver):
    wait(driver, "the confirmation", lambda d: d.find_element(By.ID, "confirm-dialog").is_displayed())
    driver.find_element(By.ID, "confirm-ok").click()


def open_add_room(driver, phone=False):
    if phone:
        driver.find_element(By.ID, "toggle-sidebar").click()
        wait(driver, "the sidebar", lambda d: visible(d, "open-add-room"))
        time.sleep(0.2)  # the slide-in transition
    driver.find_element(By.ID, "open-add-room").click()
    wait(driver, "the + dialog", lambda d: d.find_element(By.ID, "add-room-dialog").is_displayed())


def newest_in_view(driver):
    """True once every image has loaded and the last timeline item's bottom is inside the scroll area."""
    return js(driver, """
        const scroller = document.getElementById('messages-scroll');
        const items = document.querySelectorAll('#messages > li');
        const images = [...document.querySelectorAll('#messages img')];
        if (items.length === 0 || images.length === 0 || !images.every((i) => i.complete && i.naturalWidth > 0)) return false;
        const box = scroller.getBoundingClientRect(), last = items[items.length - 1].getBoundingClientRect();
        return scroller.scrollHeight > scroller.clientHeight && last.bottom <= box.bottom + 1 && last.bottom > box.top;""")


def scroll_state(driver):
    return js(driver, """
        const scroller = document.getElementById('messages-scroll');
        const items = document.querySelectorAll('#messages > li');
        const box = scroller.getBoundingClientRect(), last = items.length ? items[items.length - 1].getBoundingClientRect() : null;
        return {items: items.length, images: [...document.querySelectorAll('#messages img')].map((i) => [i.complete, i.naturalWidth, i.src.slice(0, 12)]),
                scrollTop: scroller.scrollTop, scrollHeight: scroller.scrollHeight, clientHeight: scroller.clientHeight,
                boxTop: box.top, boxBottom: box.bottom, lastBottom: last && last.bottom};""")


def check_newest_in_view(driver, where):
    try:
        wait(driver, f"the newest message in view after the images loaded ({where})", newest_in_view)
    except AssertionError as error:
        raise AssertionError(f"{error}\nscroll state: {scroll_state(driver)}") from None
    time.sleep(0.4)  # and it stays there
    assert newest_in_view(driver), f"the newest message left the view ({where})"


def picture(path, width=320, height=240):
    """A gradient PNG, written without any imaging library."""
    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in (37 + x % 200, 99 + y % 150, 235, 255)) for y in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    with open(path, "wb") as file:
        file.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
                   + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def forged_token(user):
    """A well-formed HS256 token signed with the wrong secret."""
    encode = lambda data: base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    head = encode(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = encode(json.dumps({"sub": user, "exp": int(time.time()) + 3600}).encode())
    signature = encode(hmac.new(b"not-the-secret-0123456789abcdefgh", f"{head}.{body}".encode(), hashlib.sha256).digest())
    return f"{head}.{body}.{signature}"


def mqtt_publish(topic, *payloads):
    """One mosquitto_pub for all payloads (one message per line)."""
    subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", MQTT_PORT, "-q", "1", "-t", topic, "-l"],
                   input="\n".join(json.dumps(p) for p in payloads) + "\n", text=True, check=True, timeout=10)


class CarolInbox:
    """mosquitto_sub on chat/user/carol/#, one JSON payload per line."""

    def __init__(self):
        self.file = tempfile.NamedTemporaryFile("w+", suffix=".log")
        self.process = subprocess.Popen(
            ["mosquitto_sub", "-h", "127.0.0.1", "-p", MQTT_PORT, "-q", "1", "-t", "chat/user/carol/#", "-F", "%t %p"],
            stdout=self.file, stderr=subprocess.STDOUT)
        time.sleep(0.5)

    def lines(self):
        self.file.seek(0)
        return self.file.read().splitlines()

    def wait_for(self, what, predicate, timeout=WAIT):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for line in self.lines():
                topic, _, payload = line.partition(" ")
                try:
                    value = json.loads(payload)
                except ValueError:
                    continue
                if predicate(topic, value):
                    return value
            time.sleep(0.1)
        raise AssertionError(f"carol timed out waiting for {what}; inbox:\n" + "\n".join(self.lines()[-20:]))

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=5)


class Engine:
    """The engine scripts/browser-test started: killed with SIGKILL and started again on the same data."""

    @staticmethod
    def kill():
        with open(ENGINE_PIDFILE) as file:
            pid = int(file.read())
        os.kill(pid, signal.SIGKILL)
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
            time.sleep(0.05)

    @staticmethod
    def start():
        with open(ENGINE_LOG, "a") as log:
            log.write("\n--- restarted by the test ---\n")
            offset = log.tell()
            process = subprocess.Popen(ENGINE_COMMAND, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        with open(ENGINE_PIDFILE, "w") as file:
            file.write(str(process.pid))
        deadline = time.time() + 30
        while time.time() < deadline:
            with open(ENGINE_LOG) as log:
                log.seek(offset)
                if "ready" in log.read():
                    return
            time.sleep(0.1)
        raise AssertionError("the engine did not start again")


def axe_check(driver, where):
    from axe_selenium_python import Axe
    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    bad = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    summary = "; ".join(f"{v['id']} ({v['impact']}): " + ", ".join(f"{n['target']}: {n.get('failureSummary', '')}" for n in v["nodes"])
                        for v in bad)
    assert not bad, f"axe found serious or critical violations on {where}: {summary}"
    minor = sorted({f"{v['id']} ({v['impact']})" for v in results["violations"]})
    print(f"axe on {where}: no serious or critical violation ({len(results['passes'])} rules pass; minor: {', '.join(minor) or 'none'})")


def measure_phone_load(token):
    """First load on a phone profile: 390x844, CPU 4x slower, 150 ms latency, 1.6 Mbit/s down."""
    driver = browser(390, 844)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 750e3 / 8})
        driver.execute_cdp_cmd("Emulation.setCPUThrottlingRate", {"rate": 4})
        driver.get(f"{BASE}/#token={token}")
        wait(driver, "the phone page to be interactive", lambda d: js(d, "return performance.getEntriesByName('chat-interactive').length > 0"), timeout=30)
        timing = js(driver, """
            const nav = performance.getEntriesByType('navigation')[0];
            const resources = performance.getEntriesByType('resource').filter((r) => !r.name.includes('/ws'));
            const paint = performance.getEntriesByName('first-contentful-paint')[0];
            return {
              files: 1 + resources.length,
              transfer: nav.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
              body: nav.encodedBodySize + resources.reduce((sum, r) => sum + r.encodedBodySize, 0),
              fcp: paint ? paint.startTime : null,
              domInteractive: nav.domInteractive,
              load: nav.loadEventEnd,
              interactive: performance.getEntriesByName('chat-interactive')[0].startTime,
            };""")
        print("phone profile (390x844, CPU x4, 150 ms, 1.6 Mbit/s): "
              f"{timing['files']} files, {timing['transfer'] / 1024:.1f} KiB transferred ({timing['body'] / 1024:.1f} KiB of bodies); "
              f"first contentful paint {timing['fcp']:.0f} ms, DOM interactive {timing['domInteractive']:.0f} ms, "
              f"load {timing['load']:.0f} ms, chat interactive (rooms listed, room shown) {timing['interactive']:.0f} ms")
        assert timing["transfer"] < 200 * 1024, f"the first load grew to {timing['transfer']} bytes"
    finally:
        driver.quit()


def main():
    started = time.time()
    carol = CarolInbox()
    alice = browser(1280, 800)
    bob = browser(390, 844)  # a phone: the room list slides in from the menu button
    try:
        # Alice signs in with the form, Bob with a #token= link; the fragment leaves the address bar.
        sign_in_with_form(alice, TOKENS["alice"])
        bob.get(f"{BASE}/#token={TOKENS['bob']}")
        wait(bob, "Bob's chat view", lambda d: visible(d, "chat-view"))
        assert "token" not in bob.current_url, bob.current_url
        wait(alice, "Alice's display name", lambda d: d.find_element(By.ID, "me-name").text == "Alice")

        # Alice creates a private room (the box is unticked afterwards), then the public room "lobby".
        open_add_room(alice)
        alice.find_element(By.ID, "new-room-name").send_keys("secret")
        alice.find_element(By.ID, "new-room-private").click()
        alice.find_element(By.ID, "create-room").click()
        wait(alice, "the private room", lambda d: "secret" in d.find_element(By.ID, "room-name").text)
        secret_id = js(alice, "return document.getElementById('room-view').dataset.roomId")
        open_add_room(alice)
        assert not alice.find_element(By.ID, "new-room-private").is_selected(), "the private box stayed ticked"
        alice.find_element(By.ID, "new-room-name").send_keys("lobby")
        alice.find_element(By.ID, "create-room").click()
        wait(alice, "the lobby", lambda d: "lobby" in d.find_element(By.ID, "room-name").text)
        room_id = js(alice, "return document.getElementById('room-view').dataset.roomId")
        assert room_id not in alice.find_element(By.ID, "room-view").text, "the room id is shown as text"
        print(f"room {room_id}")

        # Bob joins on his phone from the public rooms of the + dialog; Carol joins over MQTT.
        open_add_room(bob, phone=True)
        wait(bob, "the lobby in the public rooms", lambda d: d.find_element(By.CSS_SELECTOR, '#public-rooms button[aria-label="Join lobby"]')).click()
        wait(bob, "the joined room", lambda d: js(d, "return document.getElementById('room-view').dataset.roomId") == room_id
             and visible(d, "room-view"))
        mqtt_publish(f"chat/rooms/join/{room_id}", {"token": TOKENS["carol"], "request_id": "c-join"})
        carol.wait_for("her join reply", lambda t, v: v.get("request_id") == "c-join" and v.get("status") == "joined")
        mqtt_publish("chat/presence/online", {"token": TOKENS["carol"], "request_id": "c-online"})

        # All three speak; Alice's two messages in a row form one group (one avatar, one name).
        alice.find_element(By.ID, "composer-input").send_keys("Hello from Alice in Chromium", Keys.ENTER)
        wait(alice, "her own message", lambda d: has_text(d, "Hello from Alice in Chromium"))
        alice.find_element(By.ID, "composer-input").send_keys("Second line from Alice", Keys.ENTER)
        wait(bob, "Alice's messages", lambda d: has_text(d, "Second line from Alice"))
        grouped = js(alice, """const nodes = [...document.querySelectorAll('#messages .message:not(.system)')];
            return nodes.map((n) => [n.classList.contains('first'), !!n.querySelector('.avatar')]);""")
        assert grouped == [[True, True], [False, False]], f"consecutive messages not grouped: {grouped}"
        bob.find_element(By.ID, "composer-input").send_keys("Hi from Bob on a phone", Keys.ENTER)
        wait(alice, "Bob's message", lambda d: has_text(d, "Hi from Bob on a phone"))
        mqtt_publish(f"chat/message/{room_id}", {"token": TOKENS["carol"], "request_id": "c-1", "content": "Hey from Carol over MQTT"})
        for driver, name in ((alice, "alice"), (bob, "bob")):
            wait(driver, f"Carol's message in {name}'s page", lambda d: has_text(d, "Hey from Carol over MQTT"))
        for text in ("Hello from Alice in Chromium", "Hi from Bob on a phone"):
            carol.wait_for(text, lambda t, v, text=text: t.endswith("/messages") and v.get("content") == text)
        for driver in (alice, bob):
            seqs = [int(seq) for seq in js(driver, "return [...document.querySelectorAll('#messages .message')].map((n) => n.dataset.seq)")]
            assert seqs == sorted(seqs), f"messages out of order: {seqs}"
        texts = [t for t in message_texts(alice) if " from " in t and not t.startswith("Second")]
        assert texts == ["Hello from Alice in Chromium", "Hi from Bob on a phone", "Hey from Carol over MQTT"], texts

        # An @mention of Alice with a link: highlighted for her, a safe link for both; markup stays text.
        bob.find_element(By.ID, "composer-input").send_keys("@alice the notes are at https://example.com/notes?id=7.", Keys.ENTER)
        mqtt_publish(f"chat/message/{room_id}", {"token": TOKENS["carol"], "content": "<img src=x onerror=alert(1)> is text"})
        wait(alice, "the highlighted mention", lambda d: d.find_elements(By.CSS_SELECTOR, "#messages .message.mentions-me .mention.me"))
        link = alice.find_element(By.CSS_SELECTOR, "#messages .message.mentions-me a")
        assert link.get_attribute("href") == "https://example.com/notes?id=7", link.get_attribute("href")
        assert "noopener" in link.get_attribute("rel") and link.get_attribute("target") == "_blank"
        wait(bob, "Bob's own mention, not highlighted for him",
             lambda d: d.find_elements(By.CSS_SELECTOR, "#messages .message .mention") and not d.find_elements(By.CSS_SELECTOR, ".mentions-me"))
        wait(alice, "markup shown as text", lambda d: has_text(d, "<img src=x onerror=alert(1)> is text"))
        assert not alice.find_elements(By.CSS_SELECTOR, "#messages .content img"), "message text became markup"

        # Bob reacts with a long press on his phone; Alice sees the reaction, named by display name.
        act_on_message(bob, "Hello from Alice in Chromium", "button.react", ".picker button", long_press=True)
        reaction = wait(alice, "Bob's reaction", lambda d: next((r for r in d.find_elements(By.CSS_SELECTOR, ".reaction") if "👍 1" in r.text), None))
        assert "Bob" in reaction.get_attribute("title"), reaction.get_attribute("title")
        carol.wait_for("the reaction", lambda t, v: v.get("type") == "reaction_added" and v.get("user_id") == "bob")

        # Alice edits her message from the hover actions.
        act_on_message(alice, "Hello from Alice in Chromium", "button.edit")
        composer = alice.find_element(By.ID, "composer-input")
        composer.clear()
        composer.send_keys("Hello from Alice in Chromium (edited)", Keys.ENTER)
        wait(bob, "the edit", lambda d: has_text(d, "Hello from Alice in Chromium (edited)"))

        # Alice replies to Carol in a thread; Carol gets the reply, Alice's timeline shows "1 reply".
        act_on_message(alice, "Hey from Carol over MQTT", "button.reply")
        wait(alice, "the thread pane", lambda d: visible(d, "thread-pane"))
        alice.find_element(By.ID, "thread-input").send_keys("Welcome, Carol!", Keys.ENTER)
        wait(alice, "the thread reply", lambda d: has_text(d, "Welcome, Carol!", pane="thread-messages"))
        carol.wait_for("the thread reply", lambda t, v: v.get("content") == "Welcome, Carol!" and v.get("thread_id"))
        wait(alice, "the reply count", lambda d: "1 reply" in d.find_element(By.ID, "messages").text)
        alice.find_element(By.ID, "close-thread").click()

        # Enough messages to scroll, then Bob's picture: the newest message stays in view while it loads,
        # on the desktop and on the phone, and again after a reload (which reopens the remembered room).
        mqtt_publish(f"chat/message/{room_id}", *({"token": TOKENS["carol"], "content": f"Carol's line {i} of a long story"} for i in range(1, 16)))
        wait(alice, "Carol's long story", lambda d: has_text(d, "Carol's line 15 of a long story"))
        wait(bob, "Carol's long story", lambda d: has_text(d, "Carol's line 15 of a long story"))
        path = os.path.join(tempfile.mkdtemp(), "gradient.png")
        picture(path)
        bob.find_element(By.ID, "file-input").send_keys(path)
        carol.wait_for("the file message", lambda t, v: v.get("type") == "image" and (v.get("file") or {}).get("name") == "gradient.png")
        check_newest_in_view(alice, "desktop, live")
        check_newest_in_view(bob, "phone, own upload")
        image_text = js(alice, "return [...document.querySelectorAll('#messages .message')].at(-1).innerText")
        assert image_text.count("gradient.png") == 1, f"the picture's name shows more than once: {image_text!r}"
        alice.refresh()
        bob.refresh()
        for driver, where in ((alice, "desktop, after reload"), (bob, "phone, after reload")):
            wait(driver, "the remembered room", lambda d: visible(d, "room-view")
                 and js(d, "return document.getElementById('room-view').dataset.roomId") == room_id)
            check_newest_in_view(driver, where)

        # Away from the lobby, Alice's title counts Bob's new message; back in it, a divider marks it.
        click(alice, "#room-list button.room:not([aria-current])", "the private room in the list")
        wait(alice, "the private room", lambda d: "secret" in d.find_element(By.ID, "room-name").text)
        bob.find_element(By.ID, "composer-input").send_keys("Are you there, Alice?", Keys.ENTER)
        wait(alice, "the unread count in the title", lambda d: d.title.startswith("(1) "))
        wait(alice, "the unread badge", lambda d: d.find_element(By.CSS_SELECTOR, f'#room-list button[data-room-id="{room_id}"] .badge').text == "1")
        click(alice, f'#room-list button[data-room-id="{room_id}"]', "the lobby in the list")
        wait(alice, "the divider above Bob's new message", lambda d: js(d, """
            const divider = document.querySelector('#messages .divider');
            return !!divider && divider.nextElementSibling.innerText.includes('Are you there, Alice?');"""))
        wait(alice, "the title without a count", lambda d: not d.title.startswith("("))

        # Scrolled up, a new message does not move the view: a button counts it and jumps to it.
        js(alice, "document.getElementById('messages-scroll').scrollTop = 0")
        time.sleep(0.3)
        mqtt_publish(f"chat/message/{room_id}", {"token": TOKENS["carol"], "content": "Carol again, below the fold"})
        jump = wait(alice, "the jump button", lambda d: visible(d, "jump-latest") and d.find_element(By.ID, "jump-latest"))
        wait(alice, "the count on it", lambda d: "1 new message" in d.find_element(By.ID, "jump-latest").text)
        assert js(alice, "return document.getElementById('messages-scroll').scrollTop") == 0, "the view moved"
        jump.click()
        wait(alice, "the newest message after the jump", newest_in_view)
        wait(alice, "the jump button gone", lambda d: not visible(d, "jump-latest"))

        # A direct message from Carol is listed under her display name, not "alice & carol".
        mqtt_publish("chat/private/alice", {"token": TOKENS["carol"], "content": "psst, Alice"})
        wait(alice, "the direct room named Carol", lambda d: d.find_element(
            By.CSS_SELECTOR, '#room-list button[data-room-id="private_alice_carol"] .room-label').text == "Carol")

        # An error is one toast, at the top, that names its code.
        open_add_room(bob, phone=True)
        bob.find_element(By.ID, "join-room-id").send_keys("no-such-room")
        bob.find_element(By.ID, "join-room").click()
        toast = wait(bob, "the not_found toast", lambda d: d.find_element(By.CSS_SELECTOR, '.toast[data-code="not_found"]'))
        assert toast.rect["y"] < 200, "the toast covers the composer"
        js(bob, "document.getElementById('add-room-dialog').close()")
        bob.find_element(By.ID, "toggle-sidebar").click()
        wait(bob, "the sidebar closed", lambda d: not visible(d, "open-add-room"))

        # Typing, presence (Alice's own dot follows "away"), then the screenshots and axe.
        bob.find_element(By.ID, "composer-input").send_keys("I am typing")
        wait(alice, "Bob typing", lambda d: "Bob is typing" in d.find_element(By.ID, "typing").text)
        wait(alice, "the presence dots", lambda d: len(d.find_elements(By.CSS_SELECTOR, "#member-list .dot.online")) == 3)
        alice.find_element(By.CSS_SELECTOR, "#my-status option[value=away]").click()
        wait(alice, "Alice's own dot away", lambda d: d.find_elements(By.CSS_SELECTOR, '#member-list li[data-user-id="alice"] .dot.away')
             and "away" in d.find_element(By.ID, "me-dot").get_attribute("class"))
        alice.find_element(By.CSS_SELECTOR, "#my-status option[value=online]").click()
        act_on_message(alice, "Hey from Carol over MQTT", "button.reply")
        wait(alice, "the thread", lambda d: has_text(d, "Welcome, Carol!", pane="thread-messages"))
        # Typing lapses after 10 s on a slow run: Bob types on (a space, then it is taken back).
        bob.find_element(By.ID, "composer-input").send_keys(" ", Keys.BACKSPACE)
        wait(alice, "Bob typing", lambda d: "Bob is typing" in d.find_element(By.ID, "typing").text)
        js(alice, "const jump = document.getElementById('jump-latest'); if (!jump.hidden) jump.click()")
        wait(alice, "the newest message in view", newest_in_view)
        ActionChains(alice).move_to_element(message_node(alice, "Carol again, below the fold")).perform()
        for driver in (alice, bob):
            js(driver, "document.getElementById('toasts').replaceChildren()")
        time.sleep(0.3)
        os.makedirs(os.path.dirname(SCREENSHOT) or ".", exist_ok=True)
        alice.save_screenshot(SCREENSHOT)
        bob.save_screenshot(SCREENSHOT_NARROW)
        print(f"screenshots: {SCREENSHOT}, {SCREENSHOT_NARROW}")
        axe_check(alice, "Alice's page (desktop, room and thread open)")
        axe_check(bob, "Bob's page (phone)")
        # The keyboard reaches a message's actions (hidden until focused): Shift+Tab back from the composer.
        alice.find_element(By.ID, "composer-input").click()
        reached = None
        for _ in range(6):
            ActionChains(alice).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
            reached = js(alice, """const node = document.activeElement, actions = node.closest('.actions');
                return actions && getComputedStyle(actions).opacity === '1' ? node.getAttribute('aria-label') : null;""")
            if reached:
                break
        assert reached, "Shift+Tab from the composer never reached a message's actions"
        print(f"keyboard: Shift+Tab from the composer reaches the last message's {reached!r}")
        for driver, name in ((alice, "Alice"), (bob, "Bob")):
            found = errors(console(driver))
            assert not found, f"console errors in {name}'s page: {found}"

        # The engine dies and comes back: a banner says so, Bob's half-typed text and Alice's open
        # thread survive, and the connection works again. While the pages are away Carol posts (the
        # broker keeps it for the engine's session) and, once the engine is back but the pages are not
        # yet, edits and deletes her messages and reacts to Alice's: after "Retry now" both pages show
        # all of it without a reload (`sync` on every reconnect).
        def carol_message(text):
            return carol.wait_for(text, lambda t, v: t.endswith("/messages") and v.get("content") == text)["id"]
        line_14, line_15 = carol_message("Carol's line 14 of a long story"), carol_message("Carol's line 15 of a long story")
        hello = carol_message("Hello from Alice in Chromium")
        for driver in (alice, bob):
            js(driver, "window.notReloaded = true")
        bob.find_element(By.ID, "composer-input").send_keys(" and a half-typed draft")
        Engine.kill()
        wait(alice, "the reconnect banner", lambda d: visible(d, "banner") and "Reconnecting" in d.find_element(By.ID, "banner").text)
        wait(bob, "the reconnect banner", lambda d: visible(d, "banner"))
        mqtt_publish(f"chat/message/{room_id}", {"token": TOKENS["carol"], "request_id": "c-down", "content": "Carol, while the engine was down"})
        # The pages back off to 8 s between attempts: they stay away while the engine restarts and Carol acts.
        wait(alice, "both pages waiting 7 s or more", lambda d: retry_seconds(alice) >= 7 and retry_seconds(bob) >= 7, timeout=20)
        Engine.start()
        carol.wait_for("the post made while the engine was down", lambda t, v: v.get("request_id") == "c-down" and v.get("status") == "message_sent")
        mqtt_publish(f"chat/message/{line_15}/edit", {"token": TOKENS["carol"], "request_id": "c-edit", "content": "Carol's line 15, edited while you were away"})
        mqtt_publish(f"chat/message/{line_14}/delete", {"token": TOKENS["carol"], "request_id": "c-delete"})
        mqtt_publish(f"chat/message/{hello}/react", {"token": TOKENS["carol"], "request_id": "c-react", "emoji": "🎉"})
        for request_id in ("c-edit", "c-delete", "c-react"):
            carol.wait_for(request_id, lambda t, v, r=request_id: v.get("request_id") == r and v.get("status") not in (None, "error"))
        for driver, name in ((alice, "Alice"), (bob, "Bob")):
            assert visible(driver, "banner"), f"{name}'s page reconnected before Carol was done: the catch-up is not tested"
            driver.find_element(By.ID, "banner-retry").click()
        for driver in (alice, bob):
            wait(driver, "the reconnection", lambda d: not visible(d, "banner"), timeout=30)
        for driver, name in ((alice, "Alice"), (bob, "Bob")):
            wait(driver, f"the missed post in {name}'s page", lambda d: has_text(d, "Carol, while the engine was down"))
            wait(driver, f"the missed edit in {name}'s page", lambda d: has_text(d, "Carol's line 15, edited while you were away"))
            wait(driver, f"the missed deletion in {name}'s page", lambda d: js(d, "return document.querySelector(`#messages [data-key='${arguments[0]}']`)?.classList.contains('deleted')", line_14))
            wait(driver, f"the missed reaction in {name}'s page", lambda d: js(d, """const node = document.querySelector(`#messages [data-key='${arguments[0]}'] .reaction[data-emoji='🎉']`);
                return !!node && node.innerText.trim() === '🎉 1' && node.title.includes('Carol')""", hello))
            assert js(driver, "return window.notReloaded === true"), f"{name}'s page was reloaded"
        print("sync: missed post, edit, deletion and reaction shown after the reconnect, without a reload")
        assert bob.find_element(By.ID, "composer-input").get_attribute("value") == "I am typing and a half-typed draft"
        assert visible(alice, "thread-pane") and has_text(alice, "Welcome, Carol!", pane="thread-messages"), "the thread closed"
        bob.find_element(By.ID, "composer-input").send_keys(Keys.ENTER)
        wait(alice, "Bob's message after the reconnect", lambda d: has_text(d, "I am typing and a half-typed draft"))
        for driver, name in ((alice, "Alice"), (bob, "Bob")):
            outage = errors(console(driver))
            # Chromium itself reports each refused connection attempt while the engine is down; the page logs nothing.
            unexpected = [m for m in outage if "ERR_CONNECTION_REFUSED" not in m and "WebSocket connection to" not in m]
            assert not unexpected, f"console errors in {name}'s page around the restart: {unexpected}"

        # Slow mode stays on screen above Bob's composer, with the seconds left; his text is kept.
        mqtt_publish(f"chat/admin/rooms/{room_id}/moderate", {"token": TOKENS["alice"], "action": "slow_mode", "seconds": 30})
        wait(bob, "slow mode in the room head", lambda d: "slow mode" in d.find_element(By.ID, "room-notes").text)
        bob.find_element(By.ID, "composer-input").send_keys("Too soon", Keys.ENTER)
        notice = wait(bob, "the slow mode notice", lambda d: visible(d, "room-notice") and d.find_element(By.ID, "room-notice"))
        assert "Slow mode in #lobby" in notice.text and " s." in notice.text, notice.text
        assert bob.find_element(By.ID, "composer-input").get_attribute("value") == "Too soon"
        mqtt_publish(f"chat/admin/rooms/{room_id}/moderate", {"token": TOKENS["alice"], "action": "slow_mode", "seconds": 0})
        wait(bob, "slow mode off", lambda d: "slow mode" not in d.find_element(By.ID, "room-notes").text)

        # Room settings: Alice (the lobby's admin) describes, renames and locks it and sets slow mode; Bob sees it all.
        open_settings(alice)
        field = alice.find_element(By.ID, "settings-description")
        field.clear()
        field.send_keys("Where everyone meets")
        alice.find_element(By.CSS_SELECTOR, "#describe-form button[type=submit]").click()
        wait(bob, "the description", lambda d: d.find_element(By.ID, "room-description").text == "Where everyone meets")
        field = alice.find_element(By.ID, "settings-name")
        field.clear()
        field.send_keys("lounge", Keys.ENTER)
        wait(bob, "the new name", lambda d: "lounge" in d.find_element(By.ID, "room-name").text)
        alice.find_element(By.ID, "settings-lock").click()
        wait(bob, "the room locked", lambda d: "locked" in d.find_element(By.ID, "room-notes").text)
        wait(alice, "the unlock button", lambda d: d.find_element(By.ID, "settings-lock").text == "Unlock room")
        alice.find_element(By.ID, "settings-lock").click()
        wait(bob, "the room unlocked", lambda d: "locked" not in d.find_element(By.ID, "room-notes").text)
        field = alice.find_element(By.ID, "settings-slow")
        field.clear()
        field.send_keys("5", Keys.ENTER)
        wait(bob, "slow mode", lambda d: "one message every 5 s" in d.find_element(By.ID, "room-notes").text)
        field.clear()
        field.send_keys("0", Keys.ENTER)
        wait(bob, "slow mode off", lambda d: "slow mode" not in d.find_element(By.ID, "room-notes").text)
        axe_check(alice, "Alice's room settings")
        alice.find_element(By.CSS_SELECTOR, "#settings-dialog .close-dialog").click()

        # The member list: Alice promotes Bob (his page gets the settings button) and demotes him again;
        # she blocks Carol (Carol's direct message to her is refused), which a reload remembers
        # (users/blocked), and unblocks her.
        click(alice, "#show-members", "Alice's members button")
        click(alice, '#members-full button[aria-label="Promote Bob"]', "Promote Bob")
        wait(bob, "Bob's settings button", lambda d: visible(d, "room-settings"))
        click(alice, '#members-full button[aria-label="Demote Bob"]', "Demote Bob")
        wait(bob, "Bob's settings button gone", lambda d: not visible(d, "room-settings"))
        click(alice, '#members-full button[aria-label="Block Carol"]', "Block Carol")
        wait(alice, "Carol blocked", lambda d: d.find_elements(By.CSS_SELECTOR, '#members-full button[aria-label="Unblock Carol"]'))
        mqtt_publish("chat/private/alice", {"token": TOKENS["carol"], "request_id": "c-blocked", "content": "can you hear me?"})
        carol.wait_for("the refusal", lambda t, v: v.get("request_id") == "c-blocked" and (v.get("error") or {}).get("code") == "forbidden")
        axe_check(alice, "Alice's member list (admin)")
        alice.refresh()
        wait(alice, "the remembered room", lambda d: visible(d, "room-view") and "lounge" in d.find_element(By.ID, "room-name").text)
        click(alice, "#show-members", "Alice's members button")
        click(alice, '#members-full button[aria-label="Unblock Carol"]', "Unblock Carol (remembered)")
        wait(alice, "Carol unblocked", lambda d: d.find_elements(By.CSS_SELECTOR, '#members-full button[aria-label="Block Carol"]'))

        # Alice kicks Carol (she may come back), then bans her (she may not).
        click(alice, '#members-full button[aria-label="Kick Carol"]', "Kick Carol")
        confirm(alice)
        carol.wait_for("the kick", lambda t, v: v.get("type") == "member_left" and v.get("user_id") == "carol" and v.get("reason") == "kicked")
        wait(alice, "Carol gone from the member list", lambda d: not d.find_elements(By.CSS_SELECTOR, '#members-full li[data-user-id="carol"]'))
        mqtt_publish(f"chat/rooms/join/{room_id}", {"token": TOKENS["carol"], "request_id": "c-rejoin"})
        carol.wait_for("her rejoin", lambda t, v: v.get("request_id") == "c-rejoin" and v.get("status") == "joined")
        click(alice, '#members-full button[aria-label="Ban Carol"]', "Ban Carol")
        confirm(alice)
        carol.wait_for("the ban", lambda t, v: v.get("type") == "user_banned" and v.get("user_id") == "carol" and v.get("banned"))
        mqtt_publish(f"chat/rooms/join/{room_id}", {"token": TOKENS["carol"], "request_id": "c-banned"})
        carol.wait_for("her refused join", lambda t, v: v.get("request_id") == "c-banned" and (v.get("error") or {}).get("code") == "banned")
        alice.find_element(By.CSS_SELECTOR, "#members-dialog .close-dialog").click()

        # Alice invites Bob into the private room: he declines; invited again, he finds the invitation
        # after a reload (sync's invites) and accepts it.
        click(alice, f'#room-list button[data-room-id="{secret_id}"]', "the private room")
        wait(alice, "the private room", lambda d: "secret" in d.find_element(By.ID, "room-name").text)

        def invite_bob():
            open_settings(alice)
            wait(alice, "the invite field", lambda d: visible(d, "invite-user"))
            alice.find_element(By.ID, "invite-user").send_keys("bob", Keys.ENTER)
            wait(alice, "the invite field emptied", lambda d: d.find_element(By.ID, "invite-user").get_attribute("value") == "")
            alice.find_element(By.CSS_SELECTOR, "#settings-dialog .close-dialog").click()
        invite_bob()
        open_sidebar(bob)
        wait(bob, "the invitation", lambda d: d.find_element(By.CSS_SELECTOR, f'#invite-list li[data-room-id="{secret_id}"]').text.startswith("#secret"))
        assert "Alice" in bob.find_element(By.ID, "invite-list").text
        axe_check(bob, "Bob's phone with an invitation")
        click(bob, 'button[aria-label="Decline the invitation to secret"]', "Decline")
        wait(bob, "the invitation gone", lambda d: not visible(d, "invites"))
        invite_bob()
        wait(bob, "the invitation again", lambda d: visible(d, "invites"))
        bob.refresh()
        wait(bob, "Bob's page again", lambda d: visible(d, "room-view"))
        open_sidebar(bob)
        click(bob, 'button[aria-label="Accept the invitation to secret"]', "Accept")
        wait(bob, "the private room", lambda d: js(d, "return document.getElementById('room-view').dataset.roomId") == secret_id
             and visible(d, "room-view"))
        assert not visible(bob, "invites"), "the accepted invitation is still listed"

        # Unread badges follow read marks across devices: Alice, in the lounge, gets a badge for Bob's
        # message in the private room; reading it on another device (MQTT here) clears it on the page.
        click(alice, f'#room-list button[data-room-id="{room_id}"]', "the lounge")
        wait(alice, "the lounge", lambda d: "lounge" in d.find_element(By.ID, "room-name").text)
        title_count = lambda d: int(re.match(r"\((\d+)\) ", d.title).group(1)) if d.title.startswith("(") else 0
        before = title_count(alice)  # Carol's direct message to Alice is still unread
        bob.find_element(By.ID, "composer-input").send_keys("Secret hello from Bob", Keys.ENTER)
        wait(alice, "the unread badge", lambda d: d.find_element(By.CSS_SELECTOR, f'#room-list button[data-room-id="{secret_id}"] .badge').text == "1")
        wait(alice, "the count in the title", lambda d: title_count(d) == before + 1)
        mqtt_publish(f"chat/read/{secret_id}", {"token": TOKENS["alice"], "seq": 1000000})
        wait(alice, "the badge cleared by the other device", lambda d: not d.find_elements(By.CSS_SELECTOR, f'#room-list button[data-room-id="{secret_id}"] .badge'))
        wait(alice, "the count in the title back", lambda d: title_count(d) == before)

        # Search across rooms: results name their room, and one opens its room at the message.
        click(alice, "#open-search", "the search button")
        alice.find_element(By.ID, "search-input").send_keys("hello", Keys.ENTER)
        wait(alice, "results from both rooms", lambda d: {"#secret", "#lounge"} <= set(js(d,
             "return [...document.querySelectorAll('#search-results .result-meta strong')].map((n) => n.textContent)")))
        axe_check(alice, "Alice's search results")
        click(alice, '#search-results button.result[data-room-id="%s"]' % secret_id, "the private room's result")
        wait(alice, "the private room at the message", lambda d: js(d, "return document.getElementById('room-view').dataset.roomId") == secret_id
             and "Secret hello from Bob" in d.find_element(By.CSS_SELECTOR, "#messages .message.found").text)

        # Bob starts a direct conversation with Carol by her user id.
        open_add_room(bob, phone=True)
        bob.find_element(By.ID, "dm-user").send_keys("carol")
        bob.find_element(By.ID, "dm-text").send_keys("Hi Carol, Bob here", Keys.ENTER)
        wait(bob, "the direct room", lambda d: js(d, "return document.getElementById('room-view').dataset.roomId") == "private_bob_carol"
             and "Carol" in d.find_element(By.ID, "room-name").text)
        carol.wait_for("Bob's direct message", lambda t, v: v.get("content") == "Hi Carol, Bob here" and v.get("room_id") == "private_bob_carol")

        # Alice archives the private room: it turns read-only (no composer, no message actions).
        open_settings(alice)
        click(alice, "#settings-archive", "Archive room")
        confirm(alice)
        wait(alice, "the read-only room", lambda d: visible(d, "read-only") and not visible(d, "composer")
             and not d.find_elements(By.CSS_SELECTOR, "#messages .actions"))
        alice.find_element(By.CSS_SELECTOR, "#settings-dialog .close-dialog").click()
        wait(bob, "the archived room in Bob's list", lambda d: "archived" in d.find_element(
            By.CSS_SELECTOR, f'#room-list button[data-room-id="{secret_id}"]').get_attribute("aria-label"))
        click(alice, f'#room-list button[data-room-id="{room_id}"]', "the lounge")
        open_sidebar(bob)
        click(bob, f'#room-list button[data-room-id="{room_id}"]', "the lounge")
        wait(bob, "the lounge", lambda d: "lounge" in d.find_element(By.ID, "room-name").text and not visible(d, "sidebar"))
        for driver, name in ((alice, "Alice"), (bob, "Bob")):
            found = errors(console(driver))
            assert not found, f"console errors in {name}'s page: {found}"

        # Bob leaves after confirming; no error follows, and the room is gone from his list.
        js(bob, "document.getElementById('toasts').replaceChildren()")
        bob.find_element(By.ID, "leave-room").click()
        wait(bob, "the confirmation", lambda d: d.find_element(By.ID, "confirm-dialog").is_displayed())
        bob.find_element(By.ID, "confirm-ok").click()
        wait(bob, "the room gone", lambda d: not visible(d, "room-view")
             and not d.find_elements(By.CSS_SELECTOR, f'#room-list button[data-room-id="{room_id}"]'))
        wait(alice, "Bob gone from the members", lambda d: not d.find_elements(By.CSS_SELECTOR, '#member-list li[data-user-id="bob"]'))
        time.sleep(1)
        assert not bob.find_elements(By.CSS_SELECTOR, ".toast:not(.info)"), \
            "an error after leaving: " + "; ".join(t.text for t in bob.find_elements(By.CSS_SELECTOR, ".toast"))
        for driver, name in ((alice, "Alice"), (bob, "Bob")):
            found = errors(console(driver))
            assert not found, f"console errors in {name}'s page: {found}"

        # A refused token and a server that is down get different messages.
        bob.find_element(By.ID, "sign-out").click()
        wait(bob, "the sign-in form", lambda d: visible(d, "sign-in-view"))
        field = bob.find_element(By.ID, "token-input")
        field.clear()
        field.send_keys(forged_token("mallory"))
        bob.find_element(By.ID, "sign-in").click()
        wait(bob, "the refused-token message", lambda d: "refused this token" in d.find_element(By.ID, "sign-in-error").text)
        Engine.kill()
        field.clear()
        field.send_keys(TOKENS["bob"])
        bob.find_element(By.ID, "sign-in").click()
        wait(bob, "the server-down message", lambda d: "Cannot reach the server" in d.find_element(By.ID, "sign-in-error").text)

        # No token ever reached the console (it is not in any URL).
        for driver, name in ((alice, "Alice"), (bob, "Bob")):
            console(driver)
            for token in TOKENS.values():
                leaks = [entry["message"] for entry in driver.console if token in entry["message"]]
                assert not leaks, f"a token in {name}'s console: {leaks[0][:200]}"
        Engine.start()
    finally:
        for driver in (alice, bob):
            driver.quit()
        carol.close()

    measure_phone_load(TOKENS["carol"])
    print(f"browser test passed in {time.time() - started:.1f} s")
    print("1 passed, 0 failed")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as error:
        print(f"FAILED: {error}", file=sys.stderr)
        print("0 passed, 1 failed")
        sys.exit(1)
