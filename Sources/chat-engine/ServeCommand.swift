import ArgumentParser
import Engine
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// `chat-engine serve`: connect to the broker and serve until SIGTERM/SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the engine (the default).",
        discussion: "Each setting comes from its flag, else its environment variable, else the --config file, else its default.")

    @OptionGroup var settings: Settings

    func run() async throws {
        let resolved: ServeSettings
        do {
            resolved = try settings.resolver().resolve(dev: settings.dev)
        } catch let error as SettingsError {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            throw ExitCode(Self.configurationError)
        }
        Self.bootstrapLogging(level: resolved.logLevel, format: resolved.logFormat)
        let logger = Logger(label: "chat-engine")
        if resolved.usesDevelopmentSecret {
            logger.warning("development mode: tokens are signed with the public development secret")
        }
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetricsFactory.chatEngine(registry: registry)
        MetricsSystem.bootstrap(factory)
        let metrics = EngineMetrics(factory: factory)
        try await EngineMetrics.$current.withValue(metrics) {
            let engine = try ChatEngine(configuration: resolved.engine, logger: logger)
            let sampler = EngineMetricsSampler(engine: engine, metrics: metrics)
            // Shutdown runs in reverse order: the engine drains first, the HTTP endpoint goes last.
            var services: [any Service] = []
            if resolved.metricsPort != 0 {
                let gateway = WebGateway(engine: engine, logger: logger)
                services.append(OperationsServer(
                    host: resolved.httpHost, port: resolved.metricsPort, registry: registry, isHealthy: { engine.isHealthy },
                    beforeScrape: { sampler.sample() }, gateway: gateway, api: HTTPAPI(engine: engine, logger: logger), logger: logger))
                let base = "http://\(resolved.httpHost):\(resolved.metricsPort)"
                logger.info("web client on \(base)/ (WebSocket \(base)/ws), metrics and health on \(base)/metrics and /healthz")
                logger.info("HTTP API on \(base)/api/v1/ (OpenAPI \(base)/api/v1/openapi.json, events \(base)/api/v1/events)")
            }
            services.append(sampler)
            services.append(engine)
            let group = ServiceGroup(
                configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        }
    }

    /// Exit status of a start-up with invalid settings (sysexits' EX_CONFIG); systemd does not restart on it.
    static let configurationError: Int32 = 78

    /// Human lines (swift-log's stream handler) or JSON lines, on standard error, at `level`.
    static func bootstrapLogging(level: Logger.Level, format: LogFormat) {
        LoggingSystem.bootstrap { label in
            switch format {
            case .human:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            case .json:
                return JSONLogHandler(label: label, level: level)
            }
        }
    }
}
