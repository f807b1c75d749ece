import Engine
import Foundation
import Logging
import Synchronization
import Wire

/// The engine without a broker: an `EngineCore` with its lanes running, fed `InboundRequest`s the way
/// a transport feeds them, publishing into a ``PublishLog``. Requests go through the same classify →
/// admit → lane → middleware → handler path as over MQTT, and replies to the same inbox topics.
///
/// What it leaves out: the MQTT intake (QoS, retained requests, MQTT 5 properties read off the wire), the
/// web gateway and the snapshotter; it has no data directory and runs no expiry timers (presence and
/// typing TTLs, mutes' ends are only checked when a request asks).
public final class InMemoryEngine: TestEngine {
    public static let secret = "in-memory-test-secret-0123456789abcdef"

    /// Everything the engine published, in order.
    public let log: PublishLog
    package let core: EngineCore
    let secret: String
    private let lanes: Task<Void, Never>

    /// Starts an engine with `configure` applied to the test defaults (no data directory, no rate limit).
    public init(
        secret: String = InMemoryEngine.secret, changeLog: any ChangeLog = VolatileChangeLog(),
        configure: (inout EngineConfiguration) -> Void = { _ in }
    ) throws {
        var configuration = EngineConfiguration(jwtSecret: Array(secret.utf8), dataDirectory: nil, rateLimit: 0)
        configure(&configuration)
        var logger = Logger(label: "in-memory-engine")
        logger.logLevel = .warning
        let log = PublishLog()
        let core = try EngineCore(configuration: configuration, logger: logger, outbox: log, changeLog: changeLog)
        self.log = log
        self.core = core
        self.secret = secret
        lanes = Task { await core.runLanes() }
    }

    /// Hands `request` to the pipeline as a transport would.
    public func submit(_ request: InboundRequest) {
        core.submit(request)
    }

    public func connectUser(_ id: String, name: String?, admin: Bool) async throws -> any TestUser {
        try InMemoryUser(userId: id, engine: self, name: name, admin: admin)
    }

    /// A user of this engine (the concrete type, for tests that only run in memory).
    public func inMemoryUser(_ id: String, name: String? = nil, admin: Bool = false) throws -> InMemoryUser {
        try InMemoryUser(userId: id, engine: self, name: name, admin: admin)
    }

    /// Lets the lanes finish what they hold, then stops them.
    public func stop() async {
        core.finishLanes()
        await lanes.value
    }
}

/// Runs `body` against a fresh in-memory engine, stopping it afterwards whatever happens.
public func withInMemoryEngine(
    _ configure: (inout EngineConfiguration) -> Void = { _ in }, _ body: (InMemoryEngine) async throws -> Void
) async throws {
    let engine = try InMemoryEngine(configure: configure)
    do {
        try await body(engine)
    } catch {
        await engine.stop()
        throw error
    }
    await engine.stop()
}

/// A user of an ``InMemoryEngine``: sends requests straight into its pipeline and reads its inbox from
/// the engine's ``PublishLog``, from the moment it was made (as an MQTT subscription would).
public final class InMemoryUser: TestUser {
    public let userId: String
    public let token: String
    let engine: InMemoryEngine
    /// The log position when this user "subscribed".
    let start: Int
    private let prefix: String
    private let requestCounter = Atomic<Int>(0)

    init(userId: String, engine: InMemoryEngine, name: String?, admin: Bool) throws {
        self.userId = userId
        self.engine = engine
        token = try TokenSigner(secret: engine.secret).sign(
            TokenClaims(sub: userId, exp: Date().timeIntervalSince1970 + 3600, name: name, role: admin ? "admin" : nil))
        start = engine.log.count
        prefix = "chat/user/\(userId)/"
    }

    @discardableResult
    public func send(
        _ topic: String, _ fields: [String: JSONValue] = [:], requestId: String? = nil, withToken: Bool = true
    ) throws -> String {
        let id = requestId ?? "\(userId)-\(requestCounter.add(1, ordering: .relaxed).newValue)"
        var payload = fields
        if withToken { payload["token"] = .string(token) }
        payload["request_id"] = .string(id)
        engine.submit(InboundRequest(topic: topic, payload: JSONValue.object(payload).serialized(), credentials: .payloadOnly))
        return id
    }

    public func waitFor(
        timeout: Double = 10, _ what: String, _ predicate: @escaping (String, JSONValue) -> Bool
    ) async throws -> JSONValue {
        let deadline = Date().addingTimeInterval(timeout)
        var seen = start
        while true {
            let prefix = self.prefix
            let (fresh, end) = engine.log.read(from: seen) { $0.hasPrefix(prefix) }
            seen = end
            for entry in fresh {
                let json = entry.json
                if predicate(entry.topic, json) { return json }
            }
            guard Date() < deadline else { throw HarnessFailure("\(userId) timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    public func received(on topicSuffix: String) -> [JSONValue] {
        let prefix = self.prefix
        return engine.log.entries(from: start) { $0.hasPrefix(prefix) && $0.hasSuffix(topicSuffix) }.map(\.json)
    }

    /// Everything received so far, with topics, in order.
    public func receivedAll() -> [(topic: String, json: JSONValue)] {
        let prefix = self.prefix
        return engine.log.entries(from: start) { $0.hasPrefix(prefix) }.map { ($0.topic, $0.json) }
    }
}
