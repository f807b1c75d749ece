import Engine
import Foundation
import Logging
import ServiceLifecycle

/// A broker plus an in-process engine connected to it, for one test.
final class EngineHarness: @unchecked Sendable {
    static let secret = "integration-test-secret-0123456789abcdef"

    let broker: Broker
    let engine: ChatEngine
    let group: ServiceGroup
    private var task: Task<Void, Error>?

    /// Starts a broker and an engine with `configure` applied to the test defaults; returns when `ready`.
    init(broker: Broker? = nil, configure: (inout EngineConfiguration) -> Void = { _ in }) async throws {
        if let broker { self.broker = broker } else { self.broker = try await Broker() }
        let broker = self.broker
        var configuration = EngineConfiguration(
            mqttPort: broker.port, clientID: "engine-\(UUID().uuidString.prefix(8))",
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
            throw TestFailure(
                "the engine was not ready after 10 s; the broker on \(broker.ports) is \(broker.isRunning ? "running" : "gone"); "
                    + "mosquitto said: \(broker.log.suffix(600))")
        }
    }

    var port: Int { broker.port }

    /// A connected user.
    func user(_ id: String, name: String? = nil, admin: Bool = false) async throws -> ChatClient {
        try await ChatClient(userId: id, port: broker.port, name: name, admin: admin)
    }

    /// Stops the engine gracefully, then the broker unless `keepingBroker`.
    func stop(keepingBroker: Bool = false) async {
        await group.triggerGracefulShutdown()
        _ = try? await task?.value
        if !keepingBroker { broker.stop() }
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
    let harness = try await EngineHarness(broker: broker, configure: configure)
    do {
        try await body(harness)
    } catch {
        await harness.stop(keepingBroker: keepingBroker)
        throw error
    }
    await harness.stop(keepingBroker: keepingBroker)
}
