import Logging

/// Everything `chat-engine serve` needs, resolved from flags, environment, config file and defaults.
public struct ServeSettings: Sendable {
    /// The engine's configuration; tunables without a setting keep `EngineConfiguration`'s defaults.
    public var engine: EngineConfiguration
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    /// Port of the HTTP endpoint (`/metrics`, `/healthz`, the web client); 0 = no HTTP endpoint.
    public var metricsPort: Int
    /// Address the HTTP endpoint listens on (loopback by default).
    public var httpHost: String
    /// True when no secret was set and `--dev` supplied the public development secret.
    public var usesDevelopmentSecret: Bool

    /// - Parameters: see the properties.
    public init(
        engine: EngineConfiguration, logLevel: Logger.Level = .info, logFormat: LogFormat = .human,
        metricsPort: Int = 9464, httpHost: String = "127.0.0.1", usesDevelopmentSecret: Bool = false
    ) {
        self.engine = engine
        self.logLevel = logLevel
        self.logFormat = logFormat
        self.metricsPort = metricsPort
        self.httpHost = httpHost
        self.usesDevelopmentSecret = usesDevelopmentSecret
    }
}

/// How log lines are written.
public enum LogFormat: String, Sendable, CaseIterable {
    /// swift-log's plain text line.
    case human
    /// One JSON object per line.
    case json
}
