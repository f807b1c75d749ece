import Engine
import Foundation
import Logging
import ServiceLifecycle

/// A broker plus an in-process engine connected to it, for one test.
final class EngineHarness: @unchecked Sendable {
    static let secret = "integration-test-secret-0123456789abcdef"

    /// The test's own mosquitto; nil when the engine runs on a broker the test does not own.
    let broker: Broker?
    /// The port the engine and the harness's users connect to.
    let port: Int
    let engine: ChatEngine
    let group: ServiceGroup
    private var task: Task<Void, Error>?

    /// Starts a broker and an engine with `configure` applied to the test defaults; returns when `ready`.
    convenience init(broker: Broker? = nil, configure: (inout EngineConfiguration) -> Void = { _ in }) async throws {
        let broker = if let broker { broker } else { try await Broker() }
        try await self.init(owned: broker, port: broker.port, configure: configure)
    }

    /// Starts an engine on a broker the test runs otherwise (an ejabberd node) at `port`.
    convenience init(externalPort port: Int, configure: (inout EngineConfiguration) -> Void = { _ in }) async throws {
        try await self.init(owned: nil, port: port, configure: configure)
    }

    private init(owned broker: Broker?, port: Int, configure: (inout EngineConfiguration) -> Void) async throws {
        self.broker = broker
        self.port = port
        var configuration = EngineConfiguration(
            mqttPort: port, clientID: "engine-\(UUID().uuidString.prefix(8))",
            jwtSecret: Array(Self.secret.utf8), dataDirectory: nil, rateLimit: 0)
        configure(&configuration)
        var logger = Logger(label: "engine-under-test")
        logger.logLevel = .warning
        engine = try ChatEngine(configuration: configuration, logger: logger)
        group = ServiceGroup(configuration: .init(services: [engine], logger: logger))
        let group = self.group
        task = Task { try await group.run() }
        do {
            try await engine.waitUntilReady(timeout: 10)
        } catch {
            await stop()
            let state = broker.map {
                "the broker on \($0.ports) is \($0.isRunning ? "running" : "gone"); mosquitto said: \($0.log.suffix(600))"
            } ?? "the broker on port \(port) is not the test's own"
            throw TestFailure("the engine was not ready after 10 s; " + state)
        }
    }

    /// A connected user.
    func user(_ id: String, name: String? = nil, admin: Bool = false) async throws -> ChatClient {
        try await ChatClient(userId: id, port: port, name: name, admin: admin)
    }

    /// Stops the engine gracefully, then the broker unless `keepingBroker`.
    func stop(keepingBroker: Bool = false) async {
        await group.triggerGracefulShutdown()
        _ = try? await task?.value
        if !keepingBroker { broker?.stop() }
    }
}

/// Runs `body` against a fresh broker and engine, stopping both afterwards whatever happens.
func withEngine(
    _ configure: (inout EngineConfiguration) -> Void = { _ in },
    _ body: (EngineHarness) async throws -> Void
) async throws {
    try await withEngine(on: nil, configure, body)
}

/// Runs `body` against an engine on `broker` (a fresh one if nil), stopping the engine afterwards, and the
/// broker too unless `keepingBroker`.
func withEngine(
    on broker: Broker?, keepingBroker: Bool = false, _ configure: (inout EngineConfiguration) -> Void = { _ in },
    _ body: (EngineHarness) async throws -> Void
) async throws {
    try await withHarness({ try await EngineHarness(broker: broker, configure: configure) }, keepingBroker: keepingBroker, body)
}

/// Runs `body` against the harness `start` makes, stopping its engine afterwards whatever happens, and its
/// broker too unless `keepingBroker`.
func withHarness(
    _ start: () async throws -> EngineHarness, keepingBroker: Bool = false, _ body: (EngineHarness) async throws -> Void
) async throws {
    let harness = try await start()
    do {
        try await body(harness)
    } catch {
        await harness.stop(keepingBroker: keepingBroker)
        throw error
    }
    await harness.stop(keepingBroker: keepingBroker)
}
