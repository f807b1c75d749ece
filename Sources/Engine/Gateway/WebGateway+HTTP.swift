import Hummingbird
import HummingbirdWebSocket

extension WebGateway {
    /// Content-Security-Policy of the page: its own files only, no inline script, sockets to this host.
    static let contentSecurityPolicy =
        "default-src 'self'; img-src 'self' data: blob:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'"

    /// Adds `GET /` (the page), its files, `/favicon.ico` (the page's SVG icon, for browsers that ask there
    /// anyway), and `GET /ws` for requests that were not upgraded: 401 without a valid token, 429 when the
    /// user has `socketsPerUser` sockets open, 503 when the engine has `socketsTotal`, else 426.
    func addRoutes(to router: Hummingbird.Router<BasicRequestContext>) {
        for (name, file) in resources.files {
            let response: @Sendable (Hummingbird.Request, BasicRequestContext) async throws -> Response = { _, _ in
                Response(
                    status: .ok,
                    headers: [
                        .contentType: file.contentType, .cacheControl: "no-cache",
                        .contentSecurityPolicy: Self.contentSecurityPolicy, .xContentTypeOptions: "nosniff",
                    ],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: file.bytes)))
            }
            router.get(RouterPath(name), use: response)
            if name == "index.html" { router.get("/", use: response) }
            if name == WebResources.iconName { router.get(RouterPath(WebResources.legacyIconName), use: response) }
        }
        if resources.files["index.html"] == nil {
            router.get("/") { _, _ -> Response in
                OperationsServer.text(Array("""
                    The web client is not installed: copy .build/release/\(WebResources.bundleName) beside the \
                    chat-engine binary, or its web folder to ../share/chat-engine/web (see docs/WEB.md).

                    """.utf8), status: .notFound)
            }
        }
        router.get("ws") { request, _ -> Response in
            guard let user = self.identify(token: request.uri.queryParameters["token"]) else {
                return OperationsServer.text(Array("a valid token is required: /ws?token=…\n".utf8), status: .unauthorized)
            }
            switch self.engine.sockets.refusal(for: user.userId, limits: self.limits) {
            case .userFull:
                return OperationsServer.text(Array("""
                    too many connections: \(user.userId) has \(self.limits.socketsPerUser) open; close one first

                    """.utf8), status: .tooManyRequests)
            case .totalFull:
                return OperationsServer.text(Array("the server has as many connections as it takes; try again later\n".utf8), status: .serviceUnavailable)
            case nil:
                return OperationsServer.text(Array("expected a WebSocket upgrade\n".utf8), status: .upgradeRequired)
            }
        }
    }

    /// The router that accepts WebSocket upgrades on `/ws?token=…` when the token is valid.
    func webSocketRouter() -> Hummingbird.Router<BasicWebSocketRequestContext> {
        let router = Hummingbird.Router(context: BasicWebSocketRequestContext.self)
        router.ws("ws") { request, _ in
            // Refused upgrades fall through to the plain `GET /ws` route, which answers why (401, 429 or 503).
            guard let user = self.identify(token: request.uri.queryParameters["token"]),
                  self.engine.sockets.refusal(for: user.userId, limits: self.limits) == nil
            else { return .dontUpgrade }
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let token = context.request.uri.queryParameters["token"]
            guard let token, let user = self.identify(token: token) else { return }
            await self.serve(inbound, outbound, token: String(token), user: user)
        }
        return router
    }

    /// HTTP/1.1 with the WebSocket upgrade, at the gateway's frame size and ping interval.
    var serverConfiguration: HTTP1WebSocketUpgradeChannel.Configuration {
        HTTP1WebSocketUpgradeChannel.Configuration(
            ws: WebSocketServerConfiguration(
                maxFrameSize: configuration.maxMessageSize,
                autoPing: .enabled(timePeriod: .seconds(configuration.pingInterval))))
    }
}
