import Hummingbird
import HummingbirdWebSocket
import Logging
import Prometheus
import ServiceLifecycle

/// The operator's HTTP endpoint (Hummingbird): `GET /metrics` in Prometheus text and `GET /healthz`,
/// 200 `ok` while the engine is connected to the broker and 503 otherwise; with a `WebGateway`, also the
/// browser client on `GET /` and its WebSocket on `GET /ws` (the token in `Sec-WebSocket-Protocol`,
/// `Authorization` or `?token=`); with an `HTTPAPI`, also `POST /api/v1/{route}` and `GET /api/v1/openapi.json`
/// (with or without the gateway).
public struct OperationsServer: Service {
    let application: any Service

    /// - Parameters:
    ///   - host: address to listen on; loopback by default, as the endpoint has no authentication.
    ///   - port: port to listen on.
    ///   - registry: the Prometheus registry `/metrics` renders.
    ///   - isHealthy: what `/healthz` reports.
    ///   - beforeScrape: called before each `/metrics` rendering, e.g. to refresh sampled gauges.
    ///   - gateway: the web client and its WebSocket gateway, or nil for metrics and health only.
    ///   - api: the HTTP API, or nil for none.
    ///   - logger: the server's logger.
    public init(
        host: String = "127.0.0.1",
        port: Int,
        registry: PrometheusCollectorRegistry,
        isHealthy: @escaping @Sendable () -> Bool,
        beforeScrape: @escaping @Sendable () -> Void = {},
        gateway: WebGateway? = nil,
        api: HTTPAPI? = nil,
        logger: Logger
    ) {
        if let gateway {
            // The gateway's routes need the connection (`GatewayRequestContext`): a refused upgrade is
            // answered on it, and a slow event stream is closed through it.
            let router = Hummingbird.Router(context: GatewayRequestContext.self)
            Self.addOperations(to: router, registry: registry, isHealthy: isHealthy, beforeScrape: beforeScrape)
            gateway.addRoutes(to: router)
            api?.addRoutes(to: router)
            application = Application(
                router: router,
                server: .http1WebSocketUpgrade(
                    webSocketRouter: gateway.webSocketRouter(), configuration: gateway.serverConfiguration),
                configuration: .init(address: .hostname(host, port: port)), logger: logger)
        } else {
            let router = Hummingbird.Router(context: BasicRequestContext.self)
            Self.addOperations(to: router, registry: registry, isHealthy: isHealthy, beforeScrape: beforeScrape)
            api?.addRoutes(to: router)
            application = Application(
                router: router, configuration: .init(address: .hostname(host, port: port)), logger: logger)
        }
    }

    /// `GET /metrics` and `GET /healthz`.
    static func addOperations<Context: RequestContext>(
        to router: Hummingbird.Router<Context>, registry: PrometheusCollectorRegistry,
        isHealthy: @escaping @Sendable () -> Bool, beforeScrape: @escaping @Sendable () -> Void
    ) {
        router.get("metrics") { _, _ -> Response in
            beforeScrape()
            var bytes: [UInt8] = []
            bytes.reserveCapacity(16 * 1024)
            registry.emit(into: &bytes)
            return Self.text(bytes, status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("healthz") { _, _ -> Response in
            isHealthy()
                ? Self.text(Array("ok\n".utf8), status: .ok)
                : Self.text(Array("unavailable\n".utf8), status: .serviceUnavailable)
        }
    }

    public func run() async throws {
        try await application.run()
    }

    static func text(_ bytes: [UInt8], status: HTTPResponse.Status, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(
            status: status, headers: [.contentType: contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
