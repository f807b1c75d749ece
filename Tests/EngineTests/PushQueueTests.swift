import Actors
@testable import Engine
import Foundation
import Synchronization
import Testing
import Wire

/// The push queue without a broker or a webhook: per-user order, bounds, retries within the window.
struct PushQueueTests {
    final class Journal: Sendable {
        let entries = Mutex<[JournalEntry]>([])
        func record(_ entry: JournalEntry) { entries.withLock { $0.append(entry) } }
        var all: [JournalEntry] { entries.withLock { $0 } }
    }

    static func push(_ id: String, _ userId: String, bytes: Int = 10, at queuedAt: Double = 1000) -> PendingPush {
        PendingPush(id: id, userId: userId, body: Array(repeating: UInt8(ascii: "x"), count: bytes), queuedAt: queuedAt)
    }

    static func queue(limit: Int = 100, bytes: Int = 1 << 20, journal: Journal = Journal()) -> PushQueue {
        PushQueue(
            limit: limit, byteLimit: bytes, backoff: PushBackoff(delay: 1, maxDelay: 300, window: 3600),
            metrics: EngineMetrics.current.push, record: { journal.record($0) })
    }

    @Test func oneUsersPushesLeaveInOrderOneAtATime() {
        let queue = Self.queue()
        for (id, user) in [("a1", "alice"), ("b1", "bob"), ("a2", "alice"), ("b2", "bob"), ("c1", "carol")] {
            queue.enqueue(Self.push(id, user))
        }
        let first = queue.due(now: 1000, max: 10)
        #expect(first.map(\.id) == ["a1", "b1", "c1"])
        // Nothing else is due while each user has one in flight.
        #expect(queue.due(now: 1000, max: 10).isEmpty)
        queue.finish(first[0], .delivered, now: 1000)
        #expect(queue.due(now: 1000, max: 10).map(\.id) == ["a2"])
        // The concurrency cap: more due than asked for come on the next call.
        queue.finish(first[1], .delivered, now: 1000)
        queue.finish(first[2], .delivered, now: 1000)
        #expect(queue.due(now: 1000, max: 0).isEmpty)
        #expect(queue.due(now: 1000, max: 1).map(\.id) == ["b2"])
        #expect(queue.inFlight == 2)
    }

    @Test func aFailedPushHoldsItsUsersLaterOnesUntilItsRetry() {
        let queue = Self.queue()
        queue.enqueue(Self.push("a1", "alice"))
        queue.enqueue(Self.push("a2", "alice"))
        let a1 = queue.due(now: 1000, max: 4)
        #expect(a1.map(\.id) == ["a1"])
        queue.finish(a1[0], .failed("HTTP 500"), now: 1000, jitter: 1)
        // The first retry waits 1 s; a2 does not overtake it.
        #expect(queue.due(now: 1000.5, max: 4).isEmpty)
        let retry = queue.due(now: 1001, max: 4)
        #expect(retry.map(\.id) == ["a1"])
        queue.finish(retry[0], .failed("refused"), now: 1001, jitter: 1)
        #expect(queue.due(now: 1002.9, max: 4).isEmpty)
        let third = queue.due(now: 1003, max: 4)
        #expect(third.map(\.id) == ["a1"])
        queue.finish(third[0], .delivered, now: 1003)
        #expect(queue.due(now: 1003, max: 4).map(\.id) == ["a2"])
    }

    @Test func retriesStopAtTheWindowAndRejectionsAreNotRetried() {
        let journal = Journal()
        let queue = Self.queue(journal: journal)
        queue.enqueue(Self.push("old", "alice", at: 1000))
        queue.enqueue(Self.push("bad", "bob", at: 1000))
        let due = queue.due(now: 4599, max: 4)
        #expect(due.map(\.id) == ["old", "bad"])
        // Queued at 1000: the hour ends at 4600, and a retry 1 s after 4599.5 would fall past it.
        queue.finish(due[0], .failed("HTTP 503"), now: 4599.5, jitter: 1)
        queue.finish(due[1], .rejected(400), now: 4599.5)
        #expect(queue.size.count == 0)
        #expect(journal.all.suffix(2) == [.pushFinished(id: "old"), .pushFinished(id: "bad")])
    }

    @Test func theCountBoundDropsTheOldestAndJournalsIt() {
        let journal = Journal()
        let queue = Self.queue(limit: 3, journal: journal)
        for index in 1...5 { queue.enqueue(Self.push("p\(index)", "bob")) }
        #expect(queue.pending.map(\.id) == ["p3", "p4", "p5"])
        #expect(journal.all.filter { if case .pushFinished = $0 { true } else { false } } == [.pushFinished(id: "p1"), .pushFinished(id: "p2")])
    }

    @Test func theByteBoundDropsTheOldestAndRefusesAPushLargerThanItAlone() {
        let queue = Self.queue(bytes: 100)
        queue.enqueue(Self.push("p1", "bob", bytes: 40))
        queue.enqueue(Self.push("p2", "bob", bytes: 40))
        queue.enqueue(Self.push("p3", "carol", bytes: 40))
        #expect(queue.pending.map(\.id) == ["p2", "p3"])
        #expect(queue.size.bytes == 80)
        queue.enqueue(Self.push("huge", "dave", bytes: 101))
        #expect(queue.pending.map(\.id) == ["p2", "p3"])
    }

    /// A push dropped by the bound while in flight: its answer changes nothing, its user is free again.
    @Test func aPushDroppedWhileInFlightFinishesQuietly() {
        let queue = Self.queue(limit: 1)
        queue.enqueue(Self.push("p1", "bob"))
        let p1 = queue.due(now: 1000, max: 4)
        queue.enqueue(Self.push("p2", "bob"))
        queue.finish(p1[0], .failed("HTTP 500"), now: 1000)
        #expect(queue.due(now: 1000, max: 4).map(\.id) == ["p2"])
    }

    @Test func restoredPushesAreDueAtOnceInTheirOrder() {
        let queue = Self.queue()
        queue.restore([Self.push("p1", "bob"), Self.push("p2", "bob"), Self.push("p3", "carol")])
        #expect(queue.pending.map(\.id) == ["p1", "p2", "p3"])
        #expect(queue.due(now: 0, max: 4).map(\.id) == ["p1", "p3"])
    }

    // MARK: Backoff

    @Test func backoffDoublesUpToItsCapWithJitterAndEndsAtTheWindow() {
        let backoff = PushBackoff(delay: 1, maxDelay: 300, window: 3600)
        #expect((1...10).map { backoff.step($0) } == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300])
        #expect(backoff.step(1000) == 300)
        for _ in 0..<100 {
            let next = backoff.nextAttempt(after: 3, now: 0, queuedAt: 0)!
            #expect(next >= 2 && next <= 4)
        }
        #expect(backoff.nextAttempt(after: 1, now: 3599, queuedAt: 0, jitter: 1) == 3600)
        #expect(backoff.nextAttempt(after: 1, now: 3599.5, queuedAt: 0, jitter: 1) == nil)
    }

    // MARK: The webhook's wire form

    @Test func theBodyCarriesTheUserTheDevicesAndTheNotificationAsSent() throws {
        let notification = JSONValue.object(["type": "private_message", "room_id": "private_alice_bob"]).serialized()
        let devices = [PushDevice(deviceId: "phone", platform: "apns", pushToken: "t\"1", appId: "com.example", registeredAt: 1)]
        let body = PushCenter.body(id: "p-1", userId: "bob", devices: devices, notification: notification)
        let parsed = try JSONParser.parse(body)
        #expect(parsed["push_id"]?.stringValue == "p-1")
        #expect(parsed["user_id"]?.stringValue == "bob")
        #expect(parsed["notification"]?["type"]?.stringValue == "private_message")
        let device = try #require(parsed["devices"]?.arrayValue?.first)
        #expect(device["device_id"]?.stringValue == "phone" && device["platform"]?.stringValue == "apns")
        #expect(device["push_token"]?.stringValue == "t\"1" && device["app_id"]?.stringValue == "com.example")
    }

    /// RFC 4231 test case 2 ("Jefe"): the header is `sha256=` and the lower-case hex MAC.
    @Test func theSignatureIsHMACSHA256OfTheExactBody() {
        let body = Array("what do ya want for nothing?".utf8)
        let header = WebhookSignature.sign(body, secret: Array("Jefe".utf8))
        #expect(header == "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(WebhookSignature.verify(header, body: body, secret: Array("Jefe".utf8)))
        #expect(!WebhookSignature.verify(header, body: body + [0x20], secret: Array("Jefe".utf8)))
    }

    @Test func webhookURLsAreHTTPWithHostPortAndPath() {
        #expect(WebhookTarget(url: "http://127.0.0.1:8080/push") == WebhookTarget(host: "127.0.0.1", port: 8080, path: "/push"))
        #expect(WebhookTarget(url: "http://gateway.local") == WebhookTarget(host: "gateway.local", port: 80, path: "/"))
        #expect(WebhookTarget(url: "http://[::1]:9000/_matrix/push/v1/notify?x=1")
            == WebhookTarget(host: "::1", port: 9000, path: "/_matrix/push/v1/notify?x=1"))
        #expect(WebhookTarget(url: "http://[::1]:9000/x")?.hostHeader == "[::1]:9000")
        for bad in ["https://gateway/push", "gateway:80/push", "http://", "http://host:0/", "http://host:99999/", "http://user@host/", "http://host:x/"] {
            #expect(WebhookTarget(url: bad) == nil, "\(bad)")
        }
    }

    @Test func statusesMapToOutcomes() {
        #expect(WebhookClient.outcome(200) == .delivered)
        #expect(WebhookClient.outcome(204) == .delivered)
        #expect(WebhookClient.outcome(500) == .failed("HTTP 500"))
        #expect(WebhookClient.outcome(503) == .failed("HTTP 503"))
        #expect(WebhookClient.outcome(429) == .failed("HTTP 429"))
        #expect(WebhookClient.outcome(408) == .failed("HTTP 408"))
        #expect(WebhookClient.outcome(400) == .rejected(400))
        #expect(WebhookClient.outcome(401) == .rejected(401))
    }
}
