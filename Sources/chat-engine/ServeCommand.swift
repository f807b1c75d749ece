import ArgumentParser
import Engine
import Foundation
import Logging
import ServiceLifecycle

/// `chat-engine serve`: connect to the broker and serve until SIGTERM/SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the engine (the default).")

    @OptionGroup var settings: Settings

    func run() async throws {
        let levelName = settings.value(settings.logLevel, "CHAT_LOG_LEVEL", default: "info")
        guard let level = Logger.Level(rawValue: levelName.lowercased()) else {
            throw ValidationError("unknown log level '\(levelName)'")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "chat-engine")
        let configuration = EngineConfiguration(
            mqttHost: settings.value(settings.mqttHost, "CHAT_MQTT_HOST", default: "127.0.0.1"),
            mqttPort: try settings.integer(settings.mqttPort, "CHAT_MQTT_PORT", default: 1883),
            mqttUsername: settings.optional(settings.mqttUsername, "CHAT_MQTT_USERNAME"),
            mqttPassword: settings.optional(settings.mqttPassword, "CHAT_MQTT_PASSWORD"),
            clientID: settings.value(settings.clientID, "CHAT_CLIENT_ID", default: "chat-engine"),
            jwtSecret: try settings.secret(),
            dataDirectory: settings.value(settings.dataDir, "CHAT_DATA_DIR", default: "./snapshots"),
            rateLimit: try settings.integer(settings.rateLimit, "CHAT_RATE_LIMIT", default: 100),
            allowEmptyStart: settings.allowEmptyStart)
        if settings.dev && settings.optional(settings.jwtSecret, "CHAT_JWT_SECRET") == nil {
            logger.warning("development mode: tokens are signed with the public development secret")
        }
        let engine = try ChatEngine(configuration: configuration, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [engine], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
