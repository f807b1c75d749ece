import ArgumentParser
import Foundation

/// Settings shared by `serve` and `token`. Each flag falls back to its environment variable, then to the
/// contract's default (SPEC §9).
struct Settings: ParsableArguments {
    @Option(name: .customLong("mqtt-host"), help: "Broker host (CHAT_MQTT_HOST, default 127.0.0.1).")
    var mqttHost: String?
    @Option(name: .customLong("mqtt-port"), help: "Broker port (CHAT_MQTT_PORT, default 1883).")
    var mqttPort: Int?
    @Option(name: .customLong("mqtt-username"), help: "Broker user name (CHAT_MQTT_USERNAME).")
    var mqttUsername: String?
    @Option(name: .customLong("mqtt-password"), help: "Broker password (CHAT_MQTT_PASSWORD).")
    var mqttPassword: String?
    @Option(name: .customLong("client-id"), help: "The engine's MQTT client id (CHAT_CLIENT_ID, default chat-engine).")
    var clientID: String?
    @Option(name: .customLong("jwt-secret"), help: "HS256 token secret, at least 32 bytes (CHAT_JWT_SECRET).")
    var jwtSecret: String?
    @Flag(name: .customLong("dev"), help: "Development mode: use a fixed, public token secret when none is set.")
    var dev = false
    @Option(name: .customLong("data-dir"), help: "Data directory (CHAT_DATA_DIR, default ./snapshots).")
    var dataDir: String?
    @Option(name: .customLong("rate-limit"), help: "Requests per minute per user, 0 = off (CHAT_RATE_LIMIT, default 100).")
    var rateLimit: Int?
    @Flag(name: .customLong("allow-empty-start"), help: "Start empty when snapshot files exist but none can be read.")
    var allowEmptyStart = false
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error, critical (CHAT_LOG_LEVEL, default info).")
    var logLevel: String?

    /// The secret `--dev` uses; public, so tokens minted with it prove nothing outside development.
    static let developmentSecret = "chat-engine-development-secret-do-not-use-in-production"

    static func environment(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    func value(_ flag: String?, _ variable: String, default fallback: String) -> String {
        flag ?? Self.environment(variable) ?? fallback
    }

    func optional(_ flag: String?, _ variable: String) -> String? {
        flag ?? Self.environment(variable)
    }

    func integer(_ flag: Int?, _ variable: String, default fallback: Int) throws -> Int {
        if let flag { return flag }
        guard let text = Self.environment(variable) else { return fallback }
        guard let number = Int(text) else { throw ValidationError("\(variable) must be an integer, got '\(text)'") }
        return number
    }

    /// The token secret, or a clear error when it is missing or short.
    func secret() throws -> [UInt8] {
        guard let secret = optional(jwtSecret, "CHAT_JWT_SECRET") ?? (dev ? Self.developmentSecret : nil) else {
            throw ValidationError("no token secret: set --jwt-secret or CHAT_JWT_SECRET (at least 32 bytes), or run with --dev")
        }
        guard secret.utf8.count >= 32 else {
            throw ValidationError("the token secret must be at least 32 bytes, got \(secret.utf8.count)")
        }
        return Array(secret.utf8)
    }
}
