import Logging
import MQTT
import Persistence

/// Resolves settings with the contract's precedence: flags, then environment, then config file, then
/// defaults (SPEC §9). A pure value: the executable hands it what it parsed and read, tests hand it literals.
public struct SettingsResolver: Sendable {
    /// Values given as flags, as typed.
    public var flags: [Setting: String]
    /// The process environment; empty values count as unset.
    public var environment: [String: String]
    /// Values from the `--config` file.
    public var configFile: [Setting: String]

    /// The secret `--dev` uses when none is set; public, so tokens signed with it prove nothing.
    public static let developmentSecret = "chat-engine-development-secret-do-not-use-in-production"

    /// - Parameters:
    ///   - flags: values given on the command line.
    ///   - environment: environment variables (`ProcessInfo.processInfo.environment`).
    ///   - configFile: values from the config file (`ConfigFile.load(path:)`).
    public init(flags: [Setting: String] = [:], environment: [String: String] = [:], configFile: [Setting: String] = [:]) {
        self.flags = flags
        self.environment = environment
        self.configFile = configFile
    }

    /// The config file's path: `--config`, else `CHAT_CONFIG`, else none.
    public static func configPath(flag: String?, environment: [String: String]) -> String? {
        flag ?? environment["CHAT_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
    }

    // MARK: Lookup

    /// The raw value of `setting` and where it came from; nil when it has neither a value nor a default.
    public func raw(_ setting: Setting) -> (value: String, source: SettingSource)? {
        if let value = flags[setting] { return (value, .flag) }
        if let value = environment[setting.environmentVariable], !value.isEmpty { return (value, .environment) }
        if let value = configFile[setting] { return (value, .configFile) }
        return setting.defaultValue.map { ($0, .defaultValue) }
    }

    /// The value of `setting` passed through `parse`, or an error naming the setting and its origin.
    func value<T>(_ setting: Setting, expected: String, _ parse: (String) -> T?) throws(SettingsError) -> T? {
        guard let (text, source) = raw(setting) else { return nil }
        guard let value = parse(Self.trimmed(text)) else {
            throw SettingsError(
                .invalidValue, setting: setting.rawValue,
                "invalid \(setting.rawValue) '\(text)' (from \(source.origin(of: setting))): expected \(expected)")
        }
        return value
    }

    /// A setting that always has a default.
    func required<T>(_ setting: Setting, expected: String, _ parse: (String) -> T?) throws(SettingsError) -> T {
        guard let value = try value(setting, expected: expected, parse) else {
            throw SettingsError(.missing, setting: setting.rawValue, "\(setting.rawValue) is not set (\(setting.flag) or \(setting.environmentVariable))")
        }
        return value
    }

    // MARK: Resolution

    /// The token secret's bytes, from `--jwt-secret` / `CHAT_JWT_SECRET` / the config file, or the
    /// development secret when `dev` is set and none is given.
    public func secret(dev: Bool) throws(SettingsError) -> (bytes: [UInt8], isDevelopment: Bool) {
        guard let (secret, source) = raw(.jwtSecret) else {
            if dev { return (Array(Self.developmentSecret.utf8), true) }
            throw SettingsError(
                .missing, setting: Setting.jwtSecret.rawValue,
                "no token secret: set --jwt-secret or CHAT_JWT_SECRET (at least 32 bytes), or run with --dev")
        }
        guard secret.utf8.count >= 32 else {
            throw SettingsError(
                .invalidValue, setting: Setting.jwtSecret.rawValue,
                "jwt-secret (from \(source.origin(of: .jwtSecret))) must be at least 32 bytes, got \(secret.utf8.count)")
        }
        return (Array(secret.utf8), false)
    }

    /// Everything `serve` needs, validated; the first invalid setting throws.
    public func resolve(dev: Bool = false) throws(SettingsError) -> ServeSettings {
        let secret = try secret(dev: dev)
        var engine = EngineConfiguration(
            mqttHost: try required(.mqttHost, expected: "a host name or address, or a comma-separated list of host[:port]") {
                MQTTBrokerAddress.list($0, defaultPort: 1883) == nil ? nil : $0
            },
            mqttPort: try required(.mqttPort, expected: "a port 1-65535", Self.integer(in: 1...65535)),
            mqttUsername: try value(.mqttUsername, expected: "a user name", Self.nonEmpty),
            mqttPassword: raw(.mqttPassword)?.value,
            clientID: try required(.clientID, expected: "a non-empty client id", Self.nonEmpty),
            jwtSecret: secret.bytes,
            dataDirectory: try required(.dataDir, expected: "a directory path", Self.nonEmpty),
            rateLimit: try required(.rateLimit, expected: "requests per minute, 0 or more", Self.integer(in: 0...Int.max)),
            fsync: try required(.fsync, expected: "always, everysec or no") { FsyncPolicy(parsing: $0)?.rawValue },
            snapshotInterval: try required(.snapshotInterval, expected: "a positive number of seconds", Self.positiveSeconds),
            snapshotChanges: try required(.snapshotChanges, expected: "a positive number of changes", Self.integer(in: 1...Int.max)),
            maxFileSize: try required(.maxFileSize, expected: "a positive number of bytes", Self.integer(in: 1...Int.max)),
            allowEmptyStart: try required(.allowEmptyStart, expected: "true or false", Self.boolean),
            fanout: try required(.fanout, expected: "inbox or room-topic") { Fanout(rawValue: $0.lowercased()) })
        for setting in Setting.allCases {
            guard let limit = setting.limit else { continue }
            engine.limits[keyPath: limit] = try required(setting, expected: "a positive whole number", Self.integer(in: 1...Int.max))
        }
        return ServeSettings(
            engine: engine,
            logLevel: try required(.logLevel, expected: "trace, debug, info, notice, warning, error or critical") {
                Logger.Level(rawValue: $0.lowercased())
            },
            logFormat: try required(.logFormat, expected: "human or json") { LogFormat(rawValue: $0.lowercased()) },
            metricsPort: try required(.metricsPort, expected: "a port 0-65535 (0 = off)", Self.integer(in: 0...65535)),
            httpHost: try required(.httpHost, expected: "a host name or address", Self.nonEmpty),
            usesDevelopmentSecret: secret.isDevelopment)
    }

    // MARK: Parsers

    static func trimmed(_ text: String) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        return String(text.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }

    static func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }

    static func integer(in range: ClosedRange<Int>) -> (String) -> Int? {
        { text in Int(text).flatMap { range.contains($0) ? $0 : nil } }
    }

    static func positiveSeconds(_ text: String) -> Double? {
        guard let seconds = Double(text), seconds.isFinite, seconds > 0 else { return nil }
        return seconds
    }

    static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "1", "yes", "on": true
        case "false", "0", "no", "off": false
        default: nil
        }
    }
}
