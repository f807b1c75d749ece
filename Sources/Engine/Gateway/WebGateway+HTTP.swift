import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket

extension WebGateway {
    /// Content-Security-Policy of the page: its own files only, no inline script, sockets to this host.
    static let contentSecurityPolicy =
        "default-src 'self'; img-src 'self' data: blob:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'"

    /// Adds `GET /` (the page), its files, `/favicon.ico` (the page's SVG icon, for browsers that ask there
    /// anyway), `GET /ws` for requests that were not upgrade requests (`refusal(token:)`, else 426), and
    /// the event stream `GET /api/v1/events`.
    func addRoutes(to router: Hummingbird.Router<GatewayRequestContext>) {
        router.get("api/v1/events") { request, context in self.eventStream(request, context: context) }
        for (name, file) in resources.files {
            let response: @Sendable (Hummingbird.Request, GatewayRequestContext) async throws -> Response = { _, _ in
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
            let refusal = self.refusal(token: Self.token(of: request.uri, request.headers))
                ?? UpgradeRefusal(status: .upgradeRequired, text: "expected a WebSocket upgrade\n")
            return OperationsServer.text(Array(refusal.text.utf8), status: refusal.status)
        }
    }

    /// Why a socket with this token is not opened: 401 without a valid token, 429 when the user has
    /// `socketsPerUser` sockets open, 503 when the engine has `socketsTotal`; nil when it may open.
    func refusal(token: Substring?) -> UpgradeRefusal? {
        guard let user = identify(token: token) else {
            return UpgradeRefusal(
                status: .unauthorized,
                text: "a valid token is required: Sec-WebSocket-Protocol: chat-engine, bearer.<token> (or /ws?token=…)\n")
        }
        switch engine.sockets.refusal(for: user.userId, limits: limits) {
        case .userFull:
            return UpgradeRefusal(
                status: .tooManyRequests,
                text: "too many connections: \(user.userId) has \(limits.socketsPerUser) open; close one first\n")
        case .totalFull:
            return UpgradeRefusal(
                status: .serviceUnavailable, text: "the server has as many connections as it takes; try again later\n")
        case nil:
            return nil
        }
    }

    /// The subprotocol a browser offers beside its token, and answered on the upgrade.
    static let subprotocol = "chat-engine"
    /// The prefix of the offered subprotocol that carries the token: `bearer.<jwt>` (a JWT's characters
    /// are all allowed in a header token).
    static let bearerPrefix = "bearer."

    /// The token of a request, from (in order) the `Sec-WebSocket-Protocol` entry `bearer.<jwt>` (browsers:
    /// it keeps the token out of the URL), an `Authorization: Bearer` header, or `?token=` (other clients).
    static func token(of uri: URI, _ headers: HTTPFields) -> Substring? {
        for value in headers[values: .secWebSocketProtocol] {
            for entry in value.split(separator: ",") {
                let entry = Self.trimmed(entry)
                if entry.hasPrefix(bearerPrefix) { return Substring(entry.dropFirst(bearerPrefix.count)) }
            }
        }
        return headers.bearerToken ?? uri.queryParameters["token"]
    }

    static func trimmed(_ text: Substring) -> Substring {
        var text = text
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        return text
    }

    /// Headers of an accepted upgrade: the `chat-engine` subprotocol when the client offered it (a browser
    /// that offered subprotocols fails the connection unless one is chosen).
    static func upgradeHeaders(_ request: HTTPFields) -> HTTPFields {
        let offered = request[values: .secWebSocketProtocol].flatMap { $0.split(separator: ",") }
            .map { Self.trimmed($0) }
        return offered.contains(Substring(subprotocol)) ? [.secWebSocketProtocol: subprotocol] : [:]
    }

    /// The router that accepts WebSocket upgrades on `/ws` when the token (see `token(of:_:)`) is valid.
    func webSocketRouter() -> Hummingbird.Router<GatewayRequestContext> {
        let router = Hummingbird.Router(context: GatewayRequestContext.self)
        router.ws("ws") { request, context in
            // The refusal replaces the framework's empty 400 (`RefusedUpgradeHandler`): 401, 429 or 503.
            if let refusal = self.refusal(token: Self.token(of: request.uri, request.headers)) {
                self.refusedUpgrades.record(refusal, for: context.channel)
                return .dontUpgrade
            }
            return .upgrade(Self.upgradeHeaders(request.headers))
        } onUpgrade: { inbound, outbound, context in
            let token = Self.token(of: context.request.uri, context.request.headers)
            guard let token, let user = self.identify(token: token) else { return }
            await self.serve(inbound, outbound, channel: context.requestContext.channel, token: String(token), user: user)
        }
        return router
    }

    /// HTTP/1.1 with the WebSocket upgrade, at the gateway's frame size and ping interval.
    var serverConfiguration: HTTP1WebSocketUpgradeChannel.Configuration {
        HTTP1WebSocketUpgradeChannel.Configuration(
            http1: HTTP1Channel.Configuration(additionalChannelHandlers: [RefusedUpgradeHandler(refusals: self.refusedUpgrades)]),
            ws: WebSocketServerConfiguration(
                maxFrameSize: configuration.maxMessageSize,
                autoPing: .enabled(timePeriod: .seconds(configuration.pingInterval))))
    }
}
