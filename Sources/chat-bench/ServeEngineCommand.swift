import ArgumentParser
import Engine
import Logging
import ServiceLifecycle

/// `chat-bench serve-engine`: the engine library run by the bench, with the snapshot knobs exposed.
///
/// Only for `snapshot-bench` when `chat-engine serve` has no `--snapshot-interval` yet: same `ChatEngine`,
/// same defaults, in a release build of the same package.
struct ServeEngineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-engine",
        abstract: "Run ChatEngine with --dev secret and configurable snapshot interval (benchmarks only).",
        shouldDisplay: false
    )

    @Option var mqttPort = 1883
    @Option var dataDir: String
    @Option var rateLimit = 0
    @Option var snapshotInterval: Double = 60
    @Option var snapshotChanges = 10_000
    @Option var clientId = "chat-engine"

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "chat-engine")
        let configuration = EngineConfiguration(
            mqttPort: mqttPort, clientID: clientId, jwtSecret: Array("chat-engine-development-secret-do-not-use-in-production".utf8),
            dataDirectory: dataDir, rateLimit: rateLimit, snapshotInterval: snapshotInterval,
            snapshotChanges: snapshotChanges)
        let engine = try ChatEngine(configuration: configuration, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [engine], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
