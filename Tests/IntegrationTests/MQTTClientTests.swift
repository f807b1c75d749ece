import Foundation
import Logging
import MQTT
import Synchronization
import Testing

/// `MQTTClient`'s own network thread against a real mosquitto: batches, the in-flight window,
/// acknowledgements read in batches, and reconnects.
@Suite(.timeLimit(.minutes(1)))
struct MQTTClientTests {
    /// Collects what a subscriber receives, in order.
    final class Collected: Sendable {
        let received = Mutex<[MQTTMessage]>([])

        func count() -> Int { received.withLock { $0.count } }

        func waitFor(_ count: Int, seconds: Double = 10) async -> [MQTTMessage] {
            let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
            while self.count() < count && ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(10))
            }
            return received.withLock { $0 }
        }
    }

    static func client(_ id: String, port: Int, sendMaximum: Int32 = 1000, inbox: Collected? = nil) throws -> MQTTClient {
        // Reconnect backoff capped at 2 s, so a broker restart on a busy machine costs seconds, not 30.
        var logger = Logger(label: "test-\(id)")
        logger.logLevel = .critical
        return try MQTTClient(
            configuration: MQTTConfiguration(
                port: port, clientID: "\(id)-\(UUID().uuidString.prefix(8))", reconnectDelayMax: 2, sendMaximum: sendMaximum),
            logger: logger
        ) { message in inbox?.received.withLock { $0.append(message) } }
    }

    /// A broker, a subscriber to `filter` collecting into `inbox`, and a connected publisher.
    static func publisherAndSubscriber(
        filter: String
    ) async throws -> (broker: Broker, inbox: Collected, subscriber: MQTTClient, publisher: MQTTClient) {
        let broker = try await Broker()
        let inbox = Collected()
        let subscriber = try Self.client("sub", port: broker.port, inbox: inbox)
        try await subscriber.connect(subscriptions: [MQTTSubscription(filter: filter, qos: 1)])
        let publisher = try Self.client("pub", port: broker.port)
        try await publisher.connect()
        return (broker, inbox, subscriber, publisher)
    }

    @Test func aDeferredFanOutArrivesWholeAndInOrderAfterWriteQueued() async throws {
        let (broker, inbox, subscriber, publisher) = try await Self.publisherAndSubscriber(filter: "t/#")
        for number in 0..<200 {
            try publisher.publish(topic: "t/\(number % 20)", payload: Array("\(number)".utf8), qos: 1, deferWrite: true)
        }
        publisher.writeQueued()
        let received = await inbox.waitFor(200)
        #expect(received.map { String(decoding: $0.payload, as: UTF8.self) } == (0..<200).map(String.init))
        #expect(await publisher.flush(timeout: 5))
        publisher.disconnect()
        subscriber.disconnect()
        broker.stop()
    }

    @Test func aSmallWindowQueuesTheRestAndEveryAcknowledgementIsCounted() async throws {
        // 5000 QoS 1 publishes through a window of 10: the client's own queue holds the rest, the
        // publisher subscribes to nothing (so it reads acknowledgements in batches) and flush still
        // sees every one acknowledged, including the last few below the batch size.
        let broker = try await Broker()
        let inbox = Collected()
        let subscriber = try Self.client("sub", port: broker.port, inbox: inbox)
        try await subscriber.connect(subscriptions: [MQTTSubscription(filter: "w/#", qos: 1)])
        let publisher = try Self.client("pub", port: broker.port, sendMaximum: 10)
        try await publisher.connect()
        for number in 0..<5000 {
            try publisher.publish(topic: "w/\(number % 7)", payload: Array("\(number)".utf8), qos: 1)
        }
        #expect(await publisher.flush(timeout: 20))
        let received = await inbox.waitFor(5000)
        #expect(received.count == 5000)
        #expect(received.map { String(decoding: $0.payload, as: UTF8.self) } == (0..<5000).map(String.init))
        // One more after the burst: a lone acknowledgement (below the low-water mark) is still read.
        try publisher.publish(topic: "w/last", payload: Array("last".utf8), qos: 1)
        #expect(await publisher.flush(timeout: 2))
        publisher.disconnect()
        subscriber.disconnect()
    }

    /// A receiver that cannot take a message declines it: the client holds it, stops reading, offers it
    /// again (before anything later) and keeps the connection alive meanwhile. Nothing is lost or reordered.
    @Test func declinedMessagesArriveLaterInOrderAndTheConnectionStaysUp() async throws {
        let broker = try await Broker(tuned: false)
        let inbox = Collected()
        let allowed = Atomic<Int>(10)
        var logger = Logger(label: "test-declining")
        logger.logLevel = .critical
        let subscriber = try MQTTClient(
            configuration: MQTTConfiguration(port: broker.port, clientID: "declining-\(UUID().uuidString.prefix(8))", keepAlive: 10),
            logger: logger,
            offer: { message in
            inbox.received.withLock { received in
                guard received.count < allowed.load(ordering: .relaxed) else { return false }
                received.append(message)
                return true
            }
        })
        try await subscriber.connect(subscriptions: [MQTTSubscription(filter: "d/#", qos: 1)])
        let publisher = try Self.client("pub", port: broker.port)
        try await publisher.connect()
        for number in 0..<300 {
            try publisher.publish(topic: "d/\(number % 3)", payload: Array("\(number)".utf8), qos: 1)
        }
        #expect(await inbox.waitFor(10).count == 10)
        // Held back for longer than the keep-alive (a ping goes out; its answer waits unread until reading
        // resumes, which must come within a second keep-alive): the connection must survive it.
        try await Task.sleep(for: .seconds(13))
        #expect(inbox.count() == 10)
        allowed.store(300, ordering: .relaxed)
        let received = await inbox.waitFor(300)
        #expect(received.map { String(decoding: $0.payload, as: UTF8.self) } == (0..<300).map(String.init))
        #expect(subscriber.reconnectCount == 0)
        publisher.disconnect()
        subscriber.disconnect()
        broker.stop()
    }

    /// With several brokers, the client connects to the first that answers and, when its broker goes
    /// away, moves to the next (as to another node of a clustered broker).
    @Test func aClientMovesToTheNextBrokerWhenItsOwnGoesAway() async throws {
        let first = try await Broker(tuned: false)
        let second = try await Broker(tuned: false)
        let unreachable = try Broker.freePort()
        let inbox = Collected()
        var logger = Logger(label: "test-failover")
        logger.logLevel = .critical
        let client = try MQTTClient(
            configuration: MQTTConfiguration(
                port: unreachable,
                fallbacks: [MQTTBrokerAddress(host: "127.0.0.1", port: first.port), MQTTBrokerAddress(host: "127.0.0.1", port: second.port)],
                clientID: "failover-\(UUID().uuidString.prefix(8))", reconnectDelayMax: 1),
            logger: logger
        ) { message in inbox.received.withLock { $0.append(message) } }
        try await client.connect(subscriptions: [MQTTSubscription(filter: "f/#", qos: 1)])
        #expect(client.broker.port == first.port)
        first.stop()
        let deadline = ContinuousClock.now + .seconds(15)
        while client.broker.port != second.port || !client.isConnected, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(client.broker.port == second.port && client.isConnected)
        // Subscribed again on the new broker: what is published there arrives.
        let publisher = try Self.client("pub", port: second.port)
        try await publisher.connect()
        try await Task.sleep(for: .milliseconds(300))
        try publisher.publish(topic: "f/1", payload: Array("after".utf8), qos: 1)
        #expect(await inbox.waitFor(1).map { String(decoding: $0.payload, as: UTF8.self) } == ["after"])
        publisher.disconnect()
        client.disconnect()
        second.stop()
    }

    /// Names of this process's threads, from /proc.
    static func threadNames() -> [String] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.compactMap { task in
            (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    @Test func theNetworkThreadIsNamedAfterItsClientAndEndsWithIt() async throws {
        let broker = try await Broker()
        let client = try Self.client("thread", port: broker.port)
        let name = "mqtt-" + client.configuration.clientID.suffix(10)
        try await client.connect()
        #expect(Self.threadNames().contains(name))
        client.disconnect()
        let deadline = ContinuousClock.now + .seconds(5)
        while Self.threadNames().contains(name) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(!Self.threadNames().contains(name), "the network thread outlived its client's disconnect")
    }

    @Test func invalidPublishesAreRefusedAtOnce() async throws {
        let broker = try await Broker()
        let publisher = try Self.client("pub", port: broker.port)
        try await publisher.connect()
        #expect(throws: MQTTError.self) { try publisher.publish(topic: "a/+/b", payload: [], qos: 1) }
        #expect(throws: MQTTError.self) { try publisher.publish(topic: "a/b", payload: [], qos: 3) }
        #expect(await publisher.flush(timeout: 1))
        publisher.disconnect()
    }

    /// Joins payloads with commas, for the coalescing tests.
    static let commas = MQTTCoalescing(maxBytes: 1 << 20) { Array($0.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ",").utf8) }

    /// A coalescing topic has one publish in flight; what is published meanwhile leaves joined, in order,
    /// when its acknowledgement comes, in chunks of at most `maxBytes`. Other topics are not held.
    @Test func publishesToACoalescingTopicWaitForItsAcknowledgementAndLeaveJoined() async throws {
        let (broker, inbox, subscriber, publisher) = try await Self.publisherAndSubscriber(filter: "c/#")
        let chunks = MQTTCoalescing(maxBytes: 12, join: Self.commas.join)
        broker.pause()
        try publisher.publish(topic: "c/room", payload: Array("first".utf8), qos: 1, coalescing: chunks)
        try await Task.sleep(for: .milliseconds(100))
        for number in 0..<9 { try publisher.publish(topic: "c/room", payload: Array("n\(number)".utf8), qos: 1, coalescing: chunks) }
        try publisher.publish(topic: "c/other", payload: Array("other".utf8), qos: 1)
        broker.resume()
        let received = await inbox.waitFor(4)
        let payloads = received.map { String(decoding: $0.payload, as: UTF8.self) }
        // 12 bytes of payloads a publish: six of two bytes each.
        #expect(payloads.filter { $0 != "other" } == ["first", "n0,n1,n2,n3,n4,n5", "n6,n7,n8"])
        #expect(payloads.contains("other"))
        #expect(await publisher.flush(timeout: 5))
        // Once acknowledged, a topic is free again: the next publish leaves at once, alone.
        try publisher.publish(topic: "c/room", payload: Array("later".utf8), qos: 1, coalescing: chunks)
        #expect(await inbox.waitFor(5).last.map { String(decoding: $0.payload, as: UTF8.self) } == "later")
        publisher.disconnect()
        subscriber.disconnect()
        broker.stop()
    }

    /// A publish `after` coalescing topics leaves right behind the joined publish that carries the last
    /// payload waiting on them when it was published, and not before; one after topics with nothing
    /// waiting leaves at once. A reply so stays behind its request's room events.
    @Test func aPublishAfterCoalescingTopicsLeavesBehindWhatWaitedOnThem() async throws {
        let (broker, inbox, subscriber, publisher) = try await Self.publisherAndSubscriber(filter: "c/#")
        let chunks = MQTTCoalescing(maxBytes: 4, join: Self.commas.join)
        broker.pause()
        try publisher.publish(topic: "c/a", payload: Array("a0".utf8), qos: 1, coalescing: chunks)
        try publisher.publish(topic: "c/b", payload: Array("b0".utf8), qos: 1, coalescing: chunks)
        try await Task.sleep(for: .milliseconds(100))
        for number in 1...3 { try publisher.publish(topic: "c/a", payload: Array("a\(number)".utf8), qos: 1, coalescing: chunks) }
        try publisher.publish(topic: "c/b", payload: Array("b1".utf8), qos: 1, coalescing: chunks)
        try publisher.publish(topic: "c/reply", payload: Array("after-a".utf8), qos: 1, after: ["c/a"])
        try publisher.publish(topic: "c/reply", payload: Array("after-a-and-b".utf8), qos: 1, after: ["c/b", "c/a", "c/b"])
        try publisher.publish(topic: "c/reply", payload: Array("free".utf8), qos: 1, after: ["c/none"])
        // Published after the followers: it must not hold them back.
        try publisher.publish(topic: "c/a", payload: Array("a4".utf8), qos: 1, coalescing: chunks)
        broker.resume()
        let payloads = await inbox.waitFor(8).map { String(decoding: $0.payload, as: UTF8.self) }
        func position(_ payload: String) -> Int { payloads.firstIndex(of: payload) ?? -1 }
        // Four bytes of payloads a publish; a4, published after the followers, joins a3 without holding
        // them back.
        #expect(payloads.filter { $0.hasPrefix("a") && !$0.hasPrefix("after") } == ["a0", "a1,a2", "a3,a4"])
        #expect(position("b1") > position("b0"))
        #expect(position("after-a") > position("a3,a4"))
        #expect(position("after-a-and-b") > position("after-a") && position("after-a-and-b") > position("b1"))
        #expect(position("free") >= 0 && position("free") < position("a1,a2"))
        #expect(await publisher.flush(timeout: 5))
        // With nothing waiting, a publish after a topic leaves at once.
        try publisher.publish(topic: "c/reply", payload: Array("idle".utf8), qos: 1, after: ["c/a"])
        #expect(await inbox.waitFor(payloads.count + 1).last.map { String(decoding: $0.payload, as: UTF8.self) } == "idle")
        publisher.disconnect()
        subscriber.disconnect()
        broker.stop()
    }

    /// A joined publish libmosquitto refuses (larger than the broker's announced maximum packet size) is
    /// lost alone: what waited behind it on its topic, and a publish after that topic, still leave.
    @Test func aRefusedPublishOnACoalescingTopicDoesNotStallIt() async throws {
        let broker = try await Broker(extraConfig: "allow_anonymous true\nmax_packet_size 200\n")
        let inbox = Collected()
        let subscriber = try Self.client("sub", port: broker.port, inbox: inbox)
        try await subscriber.connect(subscriptions: [MQTTSubscription(filter: "c/#", qos: 1)])
        let publisher = try Self.client("pub", port: broker.port)
        try await publisher.connect()
        let chunks = MQTTCoalescing(maxBytes: 100, join: Self.commas.join)
        broker.pause()
        try publisher.publish(topic: "c/a", payload: Array("a0".utf8), qos: 1, coalescing: chunks)
        try await Task.sleep(for: .milliseconds(100))
        try publisher.publish(topic: "c/a", payload: [UInt8](repeating: UInt8(ascii: "x"), count: 250), qos: 1, coalescing: chunks)
        try publisher.publish(topic: "c/a", payload: Array("a2".utf8), qos: 1, coalescing: chunks)
        try publisher.publish(topic: "c/reply", payload: Array("after-a".utf8), qos: 1, after: ["c/a"])
        broker.resume()
        let payloads = await inbox.waitFor(3).map { String(decoding: $0.payload, as: UTF8.self) }
        #expect(payloads == ["a0", "a2", "after-a"])
        #expect(await publisher.flush(timeout: 5))
        publisher.disconnect()
        subscriber.disconnect()
        broker.stop()
    }

    /// Publishes queued while the broker is down are sent after the reconnect, in order. On a coalescing
    /// topic, whose acknowledgement was lost with the connection, the first is sent and what waited behind
    /// it leaves joined: the topic is not stuck.
    @Test(arguments: [false, true])
    func publishesQueuedWhileTheBrokerIsDownAreSentAfterTheReconnect(coalescing: Bool) async throws {
        let broker = try await Broker()
        let port = broker.port
        let publisher = try Self.client("pub", port: port)
        try await publisher.connect()
        broker.stop()
        let lostDeadline = ContinuousClock.now + .seconds(5)
        while publisher.isConnected && ContinuousClock.now < lostDeadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!publisher.isConnected)
        let joining = coalescing ? Self.commas : nil
        for number in 0..<10 { try publisher.publish(topic: "r/x", payload: Array("\(number)".utf8), qos: 1, coalescing: joining) }

        let restarted = try await Broker(port: port)
        let inbox = Collected()
        let subscriber = try Self.client("sub", port: port, inbox: inbox)
        try await subscriber.connect(subscriptions: [MQTTSubscription(filter: "r/#", qos: 1)])
        // The publisher's thread retries every 1–2 s, publishes meanwhile do not hurry it, and it sends its
        // queue once connected.
        let expected = coalescing ? ["0", "1,2,3,4,5,6,7,8,9"] : (0..<10).map(String.init)
        let received = await inbox.waitFor(expected.count, seconds: 20)
        #expect(received.map { String(decoding: $0.payload, as: UTF8.self) } == expected)
        #expect(publisher.reconnectCount >= 1)
        #expect(await publisher.flush(timeout: 5))
        try publisher.publish(topic: "r/x", payload: Array("10".utf8), qos: 1, coalescing: joining)
        #expect(await inbox.waitFor(expected.count + 1).last.map { String(decoding: $0.payload, as: UTF8.self) } == "10")
        publisher.disconnect()
        subscriber.disconnect()
        restarted.stop()
    }

    /// Filters added after `connect` are answered before `subscribe` returns, dropped by `unsubscribe`,
    /// and subscribed again after a reconnect like those given to `connect`.
    @Test func subscriptionsAddedLaterAreKeptAcrossReconnectsUntilDropped() async throws {
        let broker = try await Broker()
        let port = broker.port
        let inbox = Collected()
        let subscriber = try Self.client("sub", port: port, inbox: inbox)
        try await subscriber.connect(subscriptions: [MQTTSubscription(filter: "base/#", qos: 1)])
        await subscriber.subscribe(MQTTSubscription(filter: "later/a", qos: 1))
        await subscriber.subscribe(MQTTSubscription(filter: "later/b", qos: 1))
        let publisher = try Self.client("pub", port: port)
        try await publisher.connect()
        for topic in ["later/a", "later/b", "later/c"] { try publisher.publish(topic: topic, payload: Array(topic.utf8), qos: 1) }
        #expect(await inbox.waitFor(2).map(\.topic) == ["later/a", "later/b"])

        subscriber.unsubscribe("later/a")
        broker.stop()
        let restarted = try await Broker(port: port)
        let deadline = ContinuousClock.now + .seconds(20)
        while !(subscriber.isConnected && publisher.isConnected), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        // After the reconnect the broker (a new one, no stored session) knows only what the client re-sent.
        try await Task.sleep(for: .milliseconds(300))
        for topic in ["later/a", "later/b"] { try publisher.publish(topic: topic, payload: Array(topic.utf8), qos: 1) }
        let received = await inbox.waitFor(3)
        #expect(received.map(\.topic) == ["later/a", "later/b", "later/b"])
        publisher.disconnect()
        subscriber.disconnect()
        restarted.stop()
    }

    /// A `subscribe` waiting for a broker that is gone returns when the client disconnects.
    @Test func aSubscribeWaitingForAGoneBrokerReturnsOnDisconnect() async throws {
        let broker = try await Broker()
        let client = try Self.client("sub", port: broker.port)
        try await client.connect()
        broker.stop()
        let lostDeadline = ContinuousClock.now + .seconds(5)
        while client.isConnected && ContinuousClock.now < lostDeadline { try await Task.sleep(for: .milliseconds(20)) }
        async let subscribed: Void = client.subscribe(MQTTSubscription(filter: "never/answered", qos: 1))
        try await Task.sleep(for: .milliseconds(200))
        client.disconnect()
        await subscribed
    }
}
