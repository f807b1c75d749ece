@testable import Engine
import Foundation
import Hummingbird
import HummingbirdWSClient
import Logging
import Prometheus
import Synchronization
import Testing
import Wire

/// Issue 9: the WebSocket gateway is a transport into the same pipeline, and web and MQTT users share rooms.
@Suite(.timeLimit(.minutes(2)))
struct GatewayTests {
    /// In both fan-out modes: with room topics the MQTT user follows the room's topic, and the gateway
    /// copies its events into the web user's `messages` frames.
    @Test(arguments: Fanout.allCases)
    func mqttAndWebUsersChatInOneRoomAndSeeEachOtherInOrder(fanout: Fanout) async throws {
        try await withGateway(limits: { $0.fanout = fanout }) { harness, http, _ in
            let alice = try await harness.user("alice", name: "Alice")
            let created = try await alice.request("chat/rooms/create", ["name": "mixed"])
            let roomId = try #require(created["room_id"]?.stringValue)
            if let topic = created["events_topic"]?.stringValue { await alice.follow(topic) }
            #expect((created["events_topic"] != nil) == (fanout == .roomTopic))
            let bob = try await WebUser(port: http.port, userId: "bob", name: "Bob")
            defer { bob.stop() }
            let session = try await bob.waitFor("session") { topic, _ in topic == "chat/user/bob/session" }
            #expect(session["user_id"]?.stringValue == "bob")
            #expect(try await bob.request("chat/rooms/join/\(roomId)").status == "joined")
            _ = try await bob.waitFor("message_history") { _, payload in payload["type"]?.stringValue == "message_history" }

            for i in 0..<5 {
                try alice.send("chat/message/\(roomId)", ["content": .string("mqtt \(i)")])
                try bob.send("chat/message/\(roomId)", ["content": .string("web \(i)")])
            }
            let expected = Set((0..<5).flatMap { ["mqtt \($0)", "web \($0)"] })
            func texts(_ messages: [JSONValue]) -> [JSONValue] {
                messages.filter { $0["type"]?.stringValue == "text" && $0["room_id"]?.stringValue == roomId }
            }
            try await bob.waitUntil("ten messages on the socket") { texts(bob.events()).count >= 10 }
            try await alice.waitUntil(timeout: 5, "ten messages over MQTT") { texts(alice.roomAndInboxEvents()).count >= 10 }

            let onSocket = texts(bob.events())
            let overMQTT = texts(alice.roomAndInboxEvents())
            #expect(Set(onSocket.compactMap { $0["content"]?.stringValue }) == expected)
            // Both transports see the room in seq order, and the same sequence.
            let socketSeqs = onSocket.compactMap { $0["seq"]?.intValue }
            #expect(socketSeqs == socketSeqs.sorted() && Set(socketSeqs).count == 10)
            #expect(overMQTT.compactMap { $0["seq"]?.intValue } == socketSeqs)
            #expect(onSocket.first { $0["content"]?.stringValue == "web 0" }?["sender_name"]?.stringValue == "Bob")
            // Every web request got exactly one reply, on the socket (a reply follows its request's events).
            let sent = { bob.frames(on: "/responses").filter { $0["status"]?.stringValue == "message_sent" }.count }
            try await bob.waitUntil("five replies") { sent() >= 5 }
            try await Task.sleep(for: .milliseconds(100))
            #expect(sent() == 5)

            // The web user's typing reaches the MQTT user, and a reaction comes back to the socket.
            #expect(try await bob.request("chat/typing/\(roomId)/start").status == "typing_started")
            _ = try await alice.waitFor("typing_start") { _, json in
                json["type"]?.stringValue == "typing_start" && json["user_id"]?.stringValue == "bob"
            }
            let firstId = try #require(overMQTT.first?["id"]?.stringValue)
            #expect(try await alice.request("chat/message/\(firstId)/react", ["emoji": "👍"]).status == "reaction_added")
            _ = try await bob.waitFor("reaction") { _, payload in payload["type"]?.stringValue == "reaction_added" }
        }
    }

    @Test func theGatewayRefusesBadTokensForeignTopicsAndOversizedFrames() async throws {
        try await withGateway { harness, http, _ in
            // A forged token: no upgrade, and a plain GET says 401.
            let forged = try await WebUser(port: http.port, userId: "mallory", secret: "another-secret-0123456789abcdef-xyz")
            defer { forged.stop() }
            try await forged.waitUntil("the refused upgrade") { forged.isFinished }
            #expect(forged.failure is WebSocketClientError)
            #expect(try await http.get("/ws?token=nonsense").status == 401)
            #expect(try await http.get("/ws").status == 401)
            // An upgrade request with a bad token is refused with 401 too (not the framework's empty 400),
            // whether the token is in the URL or in the subprotocol header.
            let upgrade = ["Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 13",
                           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="]
            let refused = try await http.get("/ws?token=nonsense", headers: upgrade)
            #expect(refused.status == 401)
            #expect(refused.body.contains("valid token"))
            #expect(try await http.get("/ws", headers: upgrade + ["Sec-WebSocket-Protocol: chat-engine, bearer.nonsense"]).status == 401)

            let carol = try await WebUser(port: http.port, userId: "carol")
            defer { carol.stop() }
            #expect(try await http.get("/ws?token=\(carol.token)").status == 426)
            #expect(try await http.get("/ws", headers: ["Authorization: Bearer \(carol.token)"]).status == 426)
            // A browser keeps the token out of the URL: it offers `chat-engine, bearer.<token>` as subprotocols.
            let erin = try await WebUser(port: http.port, userId: "erin", viaSubprotocol: true)
            defer { erin.stop() }
            _ = try await erin.waitFor("session over the subprotocol") { topic, _ in topic == "chat/user/erin/session" }
            _ = try await carol.waitFor("session") { topic, _ in topic.hasSuffix("/session") }
            // Topics a client may not use are answered with an error frame, like any refused request.
            #expect(try await carol.request("chat/user/alice/messages").errorCode == "forbidden")
            #expect(try await carol.request("other/topic").errorCode == "unknown_route")
            #expect(try await carol.request("chat/nowhere").errorCode == "unknown_route")
            // Over the pipeline's 64 KiB limit but under the frame limit: the engine's own `too_large`.
            let roomId = try await carol.request("chat/rooms/create", ["name": "limits"])["room_id"]?.stringValue
            let big = String(repeating: "x", count: 100 * 1024)
            #expect(try await carol.request("chat/message/\(try #require(roomId))", ["content": .string(big)]).errorCode == "too_large")
            // A token in the payload is ignored: the socket acts as its own user only.
            let dave = try await harness.user("dave")
            let asDave = try await carol.request("chat/rooms/create", ["name": "mine", "token": .string(dave.token)])
            #expect(asDave.status == "room_created")
            #expect(asDave["room_data"]?["creator_id"]?.stringValue == "carol")

            // Over the frame limit: the socket is closed with 1009.
            try carol.sendRaw(String(repeating: "y", count: 3 * 1024 * 1024))
            try await carol.waitUntil("the socket to close") { carol.isFinished }
            #expect(carol.closeCode == "messageTooLarge")
        }
    }

    @Test func aSlowConsumerIsDisconnectedNotBuffered() async throws {
        let limits = WebGatewayConfiguration(queueCapacity: 16, maxQueuedBytes: 256 * 1024)
        try await withGateway(limits) { harness, http, gateway in
            let erin = try await WebUser(port: http.port, userId: "erin", reads: false)
            defer { erin.stop() }
            try await http.waitFor("the socket to open", timeout: 10) { gateway.openSockets == 1 }
            // Publish to erin's inbox far faster than a client that never reads can take.
            let payload = JSONValue.object(["type": "text", "content": .string(String(repeating: "z", count: 32 * 1024))]).serialized()
            let outbox = harness.engine.processor.outbox
            for _ in 0..<2000 where gateway.openSockets > 0 {
                outbox.publish(topic: "chat/user/erin/messages", payload: payload, correlationData: nil)
                await Task.yield()
            }
            // The close frame cannot leave a socket whose reader stopped reading: the gateway gives up on it
            // after 5 s. Twice that and more for a machine busy with other tests.
            try await http.waitFor("the slow socket to be dropped", timeout: 40) { gateway.openSockets == 0 }
        }
    }

    @Test func theSocketQueueIsBounded() {
        let socket = GatewaySocket(userId: "u", capacity: 2, maxBytes: 1_000)
        #expect(socket.enqueue(ByteBuffer(string: "a")))
        #expect(socket.enqueue(ByteBuffer(string: "b")))
        #expect(!socket.enqueue(ByteBuffer(string: "c")))
        #expect(socket.isOverflowed)
        let bytes = GatewaySocket(userId: "u", capacity: 100, maxBytes: 10)
        #expect(bytes.enqueue(ByteBuffer(string: "0123456789")))
        #expect(!bytes.enqueue(ByteBuffer(string: "x")))
        #expect(bytes.isOverflowed)
        #expect(Inbox.owner(of: "chat/user/bob/messages") == "bob")
        #expect(Inbox.owner(of: "chat/user//messages") == nil)
        #expect(Inbox.owner(of: "chat/rooms/list") == nil)
    }

    @Test func thePageAndItsFilesAreServed() async throws {
        try await withGateway { _, http, _ in
            let page = try await http.get("/")
            #expect(page.status == 200)
            #expect(page.body.contains("<script type=\"module\" src=\"app.js\"></script>"))
            #expect(try await http.get("/app.js").body.contains("class Connection"))
            #expect(try await http.get("/style.css").status == 200)
            #expect(try await http.get("/healthz").status == 200)
            // The icon the page links to, and the one browsers ask for on their own (no 404 in the console).
            #expect(page.body.contains("<link rel=\"icon\" href=\"favicon.svg\""))
            for path in ["/favicon.svg", "/favicon.ico"] {
                let icon = try await http.get(path)
                #expect(icon.status == 200, "\(path)")
                #expect(icon.body.hasPrefix("<svg"), "\(path)")
            }
        }
    }

    @Test func socketsAreCappedPerUserAndInTotal() async throws {
        try await withGateway(limits: { $0.limits.socketsPerUser = 2; $0.limits.socketsTotal = 3 }) { _, http, gateway in
            func connect(_ userId: String) async throws -> WebUser {
                let user = try await WebUser(port: http.port, userId: userId)
                _ = try await user.waitFor("\(userId)'s session") { topic, _ in topic.hasSuffix("/session") }
                return user
            }
            func token(_ userId: String) throws -> String {
                try TokenSigner(secret: EngineHarness.secret).sign(TokenClaims(sub: userId, exp: Date().timeIntervalSince1970 + 3600))
            }
            let first = try await connect("alice")
            defer { first.stop() }
            let second = try await connect("alice")
            defer { second.stop() }
            // A third socket of alice's is not upgraded; the refused upgrade, and a plain request, say why.
            let third = try await WebUser(port: http.port, userId: "alice")
            defer { third.stop() }
            try await third.waitUntil("the refused upgrade") { third.isFinished }
            #expect(third.failure is WebSocketClientError)
            #expect(try await http.get("/ws?token=\(try token("alice"))").status == 429)
            #expect(try await http.get("/ws?token=\(try token("alice"))", headers: [
                "Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 13",
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            ]).status == 429)
            #expect(gateway.openSockets == 2)

            let bob = try await connect("bob")
            defer { bob.stop() }
            // Three open in all: nobody else gets in, with 503.
            #expect(try await http.get("/ws?token=\(try token("carol"))").status == 503)
            let carol = try await WebUser(port: http.port, userId: "carol")
            defer { carol.stop() }
            try await carol.waitUntil("the refused upgrade") { carol.isFinished }
            #expect(carol.failure is WebSocketClientError)

            // A closed socket frees its place.
            first.stop()
            // Generous: on a loaded two-core CI machine the close handshake has taken over 10 s.
            try await http.waitFor("the socket to close", timeout: 30) { gateway.openSockets == 2 }
            #expect(try await http.get("/ws?token=\(try token("carol"))").status == 426)
            let again = try await connect("alice")
            defer { again.stop() }
            #expect(gateway.openSockets == 3)
        }
    }

    @Test func theRegistryAdmitsUpToItsCaps() {
        let registry = SocketRegistry()
        let limits = UserLimits(socketsPerUser: 2, socketsTotal: 3)
        let a1 = GatewaySocket(userId: "a", capacity: 1, maxBytes: 1)
        #expect(registry.add(a1, limits: limits) == nil)
        #expect(registry.add(GatewaySocket(userId: "a", capacity: 1, maxBytes: 1), limits: limits) == nil)
        #expect(registry.add(GatewaySocket(userId: "a", capacity: 1, maxBytes: 1), limits: limits) == .userFull)
        #expect(registry.add(GatewaySocket(userId: "b", capacity: 1, maxBytes: 1), limits: limits) == nil)
        #expect(registry.add(GatewaySocket(userId: "c", capacity: 1, maxBytes: 1), limits: limits) == .totalFull)
        #expect(registry.count == 3)
        registry.remove(a1)
        registry.remove(a1)
        #expect(registry.count == 2)
        #expect(registry.refusal(for: "c", limits: limits) == nil)
        #expect(registry.sockets(of: "a").count == 1)
    }
}

// MARK: - Support

/// Runs `body` with a broker, an engine, and the HTTP endpoint with the web gateway on a free port.
func withGateway(
    _ configuration: WebGatewayConfiguration = .init(),
    limits: (inout EngineConfiguration) -> Void = { _ in },
    _ body: (EngineHarness, HTTPProbe, WebGateway) async throws -> Void
) async throws {
    var logger = Logger(label: "gateway-under-test")
    logger.logLevel = .warning
    try await withEngine(limits) { harness in
        let engine = harness.engine
        let gateway = WebGateway(engine: engine, configuration: configuration, logger: logger)
        let probe = HTTPProbe(port: try Broker.freePort())
        let server = OperationsServer(
            port: probe.port, registry: PrometheusCollectorRegistry(), isHealthy: { engine.isHealthy },
            gateway: gateway, logger: logger)
        try await whileServing([server], probe: probe, logger: logger) { try await body(harness, probe, gateway) }
    }
}

/// A web user for tests: a WebSocket to `/ws?token=…` (Hummingbird's client), recording every frame.
final class WebUser: Sendable {
    let userId: String
    let token: String
    private let state = State()
    private let outgoing: AsyncStream<String>.Continuation
    private let counter = Atomic<Int>(0)
    private let task: Task<Void, Never>

    /// Connects (in the background) as `userId`; with `reads: false` it never reads a frame.
    init(
        port: Int, userId: String, name: String? = nil, secret: String = EngineHarness.secret, reads: Bool = true,
        viaSubprotocol: Bool = false
    ) async throws {
        self.userId = userId
        token = try TokenSigner(secret: secret).sign(
            TokenClaims(sub: userId, exp: Date().timeIntervalSince1970 + 3600, name: name))
        let (stream, outgoing) = AsyncStream.makeStream(of: String.self)
        self.outgoing = outgoing
        var logger = Logger(label: "web-user")
        logger.logLevel = .warning
        let url = viaSubprotocol ? "ws://127.0.0.1:\(port)/ws" : "ws://127.0.0.1:\(port)/ws?token=\(token)"
        let headers: HTTPFields = viaSubprotocol ? [.secWebSocketProtocol: "chat-engine, bearer.\(token)"] : [:]
        let state = self.state
        task = Task {
            let client = WebSocketClient(
                url: url, configuration: .init(maxFrameSize: 8 << 20, additionalHeaders: headers), logger: logger
            ) { inbound, outbound, _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await text in stream { try await outbound.write(.text(text)) }
                    }
                    if reads {
                        for try await message in inbound.messages(maxSize: 8 << 20) {
                            guard case .text(let text) = message,
                                  let frame = try? JSONParser.parse(text),
                                  let topic = frame["topic"]?.stringValue, let payload = frame["payload"]
                            else { continue }
                            state.received.withLock { $0.append((topic, payload)) }
                        }
                    } else {
                        try await Task.sleep(for: .seconds(120))
                    }
                    group.cancelAll()
                }
            }
            do {
                let close = try await client.run()
                state.outcome.withLock { $0 = (true, close, nil) }
            } catch {
                state.outcome.withLock { $0 = (true, nil, error) }
            }
        }
    }

    /// What the socket received and how it ended.
    final class State: Sendable {
        let received = Mutex<[(topic: String, payload: JSONValue)]>([])
        let outcome = Mutex<(finished: Bool, close: WebSocketCloseFrame?, failure: (any Error)?)>((false, nil, nil))
    }

    func stop() {
        outgoing.finish()
        task.cancel()
    }

    var isFinished: Bool { state.outcome.withLock { $0.finished } }
    /// The server's close code by name (e.g. `messageTooLarge`), once closed.
    var closeCode: String? { state.outcome.withLock { $0.close.map { "\($0.closeCode)" } } }
    var failure: (any Error)? { state.outcome.withLock { $0.failure } }

    /// Sends a request frame with a fresh request id; returns the id.
    @discardableResult
    func send(_ topic: String, _ fields: [String: JSONValue] = [:]) throws -> String {
        let id = "\(userId)-web-\(counter.add(1, ordering: .relaxed).newValue)"
        var payload = fields
        payload["request_id"] = .string(id)
        let frame = JSONValue.object(["topic": .string(topic), "payload": .object(payload)])
        try sendRaw(String(decoding: frame.serialized(), as: UTF8.self))
        return id
    }

    func sendRaw(_ text: String) throws {
        guard case .enqueued = outgoing.yield(text) else { throw TestFailure("\(userId)'s socket is closed") }
    }

    /// Sends a request and waits for its reply on `chat/user/{id}/responses`.
    func request(_ topic: String, _ fields: [String: JSONValue] = [:], timeout: Double = 5) async throws -> JSONValue {
        let id = try send(topic, fields)
        return try await waitFor("reply to \(id)", timeout: timeout) { frameTopic, payload in
            frameTopic == "chat/user/\(self.userId)/responses" && payload["request_id"]?.stringValue == id
        }
    }

    /// Payloads of frames whose topic ends with `suffix`.
    func frames(on suffix: String) -> [JSONValue] {
        state.received.withLock { $0.filter { $0.topic.hasSuffix(suffix) }.map(\.payload) }
    }

    /// Events on `chat/user/{id}/messages`.
    func events() -> [JSONValue] { frames(on: "/messages") }

    func waitFor(
        _ what: String, timeout: Double = 5, _ predicate: @escaping (String, JSONValue) -> Bool
    ) async throws -> JSONValue {
        var found: JSONValue?
        try await waitUntil(what, timeout: timeout) {
            found = self.state.received.withLock { $0.first { predicate($0.topic, $0.payload) }?.payload }
            return found != nil
        }
        return found!
    }

    func waitUntil(_ what: String, timeout: Double = 5, _ condition: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            guard Date() < deadline else { throw TestFailure("\(userId) timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
