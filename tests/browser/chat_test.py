"""Browser test of the web client (run by scripts/browser-test, which starts the broker and the engine).

Alice (headless Chromium, desktop size) and Bob (headless Chromium, phone size) sign in with tokens on
the page; Carol speaks MQTT through mosquitto_pub/mosquitto_sub. They chat in one room; the test checks
each browser's DOM and Carol's inbox, exercises typing, reactions, an edit, a thread reply and an error
toast, and saves a screenshot of Alice's page.

Environment: CHAT_BASE_URL, CHAT_MQTT_PORT, CHAT_{ALICE,BOB,CAROL}_TOKEN, CHAT_SCREENSHOT.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import zlib
import struct

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ["CHAT_BASE_URL"]
MQTT_PORT = os.environ["CHAT_MQTT_PORT"]
TOKENS = {name: os.environ[f"CHAT_{name.upper()}_TOKEN"] for name in ("alice", "bob", "carol")}
SCREENSHOT = os.environ.get("CHAT_SCREENSHOT", "docs/web-client.png")
WAIT = 15


def browser(width, height):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={width},{height}", "--lang=en-US"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(WAIT)
    return driver


def wait(driver, what, condition, timeout=WAIT):
    # The page re-renders a list on every event, so an element found a moment ago can be gone: a stale
    # read is retried, not taken for a failure.
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1,
                             ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
                             ).until(lambda d: condition(d))
    except Exception as error:
        logs = "\n".join(entry["message"] for entry in driver.get_log("browser")) if hasattr(driver, "get_log") else ""
        reason = "timed out" if isinstance(error, TimeoutException) else f"{type(error).__name__}"
        raise AssertionError(f"{reason} waiting for {what}\nbrowser log:\n{logs}") from None


def sign_in(driver, token):
    driver.get(BASE + "/")
    field = wait(driver, "the sign-in form", lambda d: d.find_element(By.ID, "token-input"))
    field.send_keys(token)
    driver.find_element(By.ID, "sign-in").click()
    wait(driver, "the chat view", lambda d: d.find_element(By.ID, "chat-view").is_displayed())
    wait(driver, "the open connection", lambda d: "open" in d.find_element(By.ID, "connection").get_attribute("class"))


def message_texts(driver, pane="messages"):
    # One script call reads the whole list, so a re-render between reads cannot leave a stale element.
    return driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map((node) => node.innerText)", f"#{pane} .message .content")


def has_text(driver, text, pane="messages"):
    return any(text in content for content in message_texts(driver, pane))


def click_in_message(driver, text, *selectors):
    """Clicks the buttons `selectors` of the timeline message containing `text`, one after another; a
    re-render in between makes the whole sequence start again on the new element."""
    def attempt(d):
        node = next((node for node in d.find_elements(By.CSS_SELECTOR, "#messages .message")
                     if text in node.find_element(By.CSS_SELECTOR, ".content").text), None)
        if node is None:
            return False
        for selector in selectors:
            node.find_element(By.CSS_SELECTOR, selector).click()
        return True
    wait(driver, f"{' then '.join(selectors)} on the message {text!r}", attempt)


def tiny_png(path, width=48, height=32):
    """A small gradient PNG, written without any imaging library."""
    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in (37 + x * 4, 99 + y * 3, 235, 255)) for y in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    with open(path, "wb") as file:
        file.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
                   + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def mqtt_publish(topic, payload):
    subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", MQTT_PORT, "-q", "1", "-t", topic, "-m", json.dumps(payload)],
                   check=True, timeout=10)


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


def main():
    started = time.time()
    carol = CarolInbox()
    alice = browser(1280, 800)
    bob = browser(390, 844)  # a phone: the room list slides in from the ☰ button
    try:
        sign_in(alice, TOKENS["alice"])
        sign_in(bob, TOKENS["bob"])

        # Alice creates the room; its id shows in the room header.
        alice.find_element(By.ID, "new-room-name").send_keys("lobby")
        alice.find_element(By.ID, "create-room").click()
        room_id = wait(alice, "the new room", lambda d: d.find_element(By.ID, "room-id").text.strip() or None)
        print(f"room {room_id}")

        # Bob joins on his phone through the sidebar; Carol joins over MQTT and says she is online.
        bob.find_element(By.ID, "toggle-sidebar").click()
        wait(bob, "the sidebar", lambda d: d.find_element(By.ID, "join-room-id").is_displayed())
        time.sleep(0.3)  # the slide-in transition
        bob.find_element(By.ID, "join-room-id").send_keys(room_id)
        bob.find_element(By.ID, "join-room").click()
        wait(bob, "the joined room", lambda d: d.find_element(By.ID, "room-id").text == room_id)
        mqtt_publish(f"chat/rooms/join/{room_id}", {"token": TOKENS["carol"], "request_id": "c-join"})
        carol.wait_for("her join reply", lambda t, v: v.get("request_id") == "c-join" and v.get("status") == "joined")
        mqtt_publish("chat/presence/online", {"token": TOKENS["carol"], "request_id": "c-online"})

        # All three speak.
        alice.find_element(By.ID, "composer-input").send_keys("Hello from Alice in Chromium", Keys.ENTER)
        wait(bob, "Alice's message", lambda d: has_text(d, "Hello from Alice in Chromium"))
        bob.find_element(By.ID, "composer-input").send_keys("Hi from Bob on a phone", Keys.ENTER)
        wait(alice, "Bob's message", lambda d: has_text(d, "Hi from Bob on a phone"))
        mqtt_publish(f"chat/message/{room_id}", {"token": TOKENS["carol"], "request_id": "c-1", "content": "Hey from Carol over MQTT"})
        for driver, name in ((alice, "alice"), (bob, "bob")):
            wait(driver, f"Carol's message in {name}'s page", lambda d: has_text(d, "Hey from Carol over MQTT"))
        for text in ("Hello from Alice in Chromium", "Hi from Bob on a phone"):
            carol.wait_for(text, lambda t, v, text=text: t.endswith("/messages") and v.get("content") == text)

        # Same order everywhere: the DOM lists the room in seq order.
        for driver in (alice, bob):
            seqs = [int(seq) for seq in driver.execute_script(
                "return [...document.querySelectorAll('#messages .message')].map((node) => node.dataset.seq)")]
            assert seqs == sorted(seqs), f"messages out of order: {seqs}"
        texts = [t for t in message_texts(alice) if "from" in t]
        assert texts == ["Hello from Alice in Chromium", "Hi from Bob on a phone", "Hey from Carol over MQTT"], texts

        # Bob reacts to Alice's message; Alice sees the reaction, Carol gets the event.
        click_in_message(bob, "Hello from Alice in Chromium", "button.react", ".picker button")
        wait(alice, "Bob's reaction", lambda d: any("👍 1" in r.text for r in d.find_elements(By.CSS_SELECTOR, ".reaction")))
        carol.wait_for("the reaction", lambda t, v: v.get("type") == "reaction_added" and v.get("user_id") == "bob")

        # Alice edits her message.
        click_in_message(alice, "Hello from Alice in Chromium", "button.edit")
        composer = alice.find_element(By.ID, "composer-input")
        composer.clear()
        composer.send_keys("Hello from Alice in Chromium (edited)", Keys.ENTER)
        wait(bob, "the edit", lambda d: has_text(d, "Hello from Alice in Chromium (edited)"))

        # Alice replies to Carol in a thread; Carol gets the reply, Alice's timeline shows "1 reply".
        click_in_message(alice, "Hey from Carol over MQTT", "button.reply")
        wait(alice, "the thread pane", lambda d: d.find_element(By.ID, "thread-pane").is_displayed())
        alice.find_element(By.ID, "thread-input").send_keys("Welcome, Carol!", Keys.ENTER)
        wait(alice, "the thread reply", lambda d: has_text(d, "Welcome, Carol!", pane="thread-messages"))
        carol.wait_for("the thread reply", lambda t, v: v.get("content") == "Welcome, Carol!" and v.get("thread_id"))
        wait(alice, "the reply count", lambda d: "1 reply" in d.find_element(By.ID, "messages").text)

        # Bob uploads a picture (chunked upload, then share); Alice's page downloads and shows it.
        picture = os.path.join(tempfile.mkdtemp(), "gradient.png")
        tiny_png(picture)
        bob.find_element(By.ID, "file-input").send_keys(picture)
        wait(alice, "the shared picture", lambda d: any(
            img.get_attribute("src") and img.get_attribute("src").startswith("blob:") and d.execute_script(
                "return arguments[0].complete && arguments[0].naturalWidth", img) == 48
            for img in d.find_elements(By.CSS_SELECTOR, "#messages .message .file img")))
        carol.wait_for("the file message", lambda t, v: v.get("type") == "image" and (v.get("file") or {}).get("name") == "gradient.png")

        # An error becomes a toast carrying its code.
        bob.find_element(By.ID, "toggle-sidebar").click()
        time.sleep(0.3)
        bob.find_element(By.ID, "join-room-id").send_keys("no-such-room")
        bob.find_element(By.ID, "join-room").click()
        wait(bob, "the not_found toast", lambda d: d.find_elements(By.CSS_SELECTOR, '.toast[data-code="not_found"]'))
        bob.find_element(By.ID, "toggle-sidebar").click()

        # Bob types; Alice sees the indicator (and the presence dots) in the screenshot.
        bob.find_element(By.ID, "composer-input").send_keys("I am typing")
        wait(alice, "Bob typing", lambda d: "Bob is typing" in d.find_element(By.ID, "typing").text)
        wait(alice, "the presence dots",
             lambda d: len(d.find_elements(By.CSS_SELECTOR, "#member-list .dot.online")) == 3)
        time.sleep(0.3)
        os.makedirs(os.path.dirname(SCREENSHOT) or ".", exist_ok=True)
        alice.save_screenshot(SCREENSHOT)
        if os.environ.get("CHAT_SCREENSHOT_NARROW"):
            bob.save_screenshot(os.environ["CHAT_SCREENSHOT_NARROW"])
        print(f"screenshot: {SCREENSHOT}")
    finally:
        for driver in (alice, bob):
            driver.quit()
        carol.close()
    print(f"browser test passed in {time.time() - started:.1f} s")
    print("1 passed, 0 failed")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as error:
        print(f"FAILED: {error}", file=sys.stderr)
        print("0 passed, 1 failed")
        sys.exit(1)
