import Actors
import Hummingbird
import HummingbirdCore
import HTTPTypes
import Logging
import NIOCore
import Wire

/// The HTTP transport (SPEC §11): `POST /api/v1/{route}` turns an HTTP request into an `InboundRequest`
/// for the engine's own pipeline and its reply into an HTTP response; `GET /api/v1/openapi.json`
/// describes every route.
///
/// It is a transport, not a second engine: the body is the MQTT payload (without `token`), the identity
/// the `Authorization: Bearer` token, `Idempotency-Key` the request id when the body has none, and the
/// response body the reply, byte for byte as MQTT would carry it. Routing, authentication, the rate
/// limit, de-duplication, the journal, middleware and handlers are the engine's; only the HTTP status is
/// chosen here, from the reply's error code (`APIStatus`).
///
/// The routes are generic over the request context, so the API is served on the operations listener
/// with or without the web gateway. It needs nothing but the engine, which always has a token secret.
public final class HTTPAPI: Sendable {
    let engine: ChatEngine
    let configuration: HTTPAPIConfiguration
    let logger: Logger
    /// The OpenAPI document, built once from the route table.
    let openAPI: [UInt8]

    /// The prefix of every API path; `{route}` follows it.
    static let pathPrefix = "/api/v1/"

    /// - Parameters:
    ///   - engine: the engine whose pipeline the requests go through.
    ///   - configuration: the reply timeout.
    ///   - logger: where the API logs (debug level).
    public init(engine: ChatEngine, configuration: HTTPAPIConfiguration = .init(), logger: Logger) {
        self.engine = engine
        self.configuration = configuration
        self.logger = logger
        self.openAPI = OpenAPIDocument(routes: engine.router.routes).json.serialized(sortedKeys: true)
    }

    /// Adds `POST /api/v1/**` and `GET /api/v1/openapi.json` to `router`.
    public func addRoutes<Context: RequestContext>(to router: Hummingbird.Router<Context>) {
        router.get("api/v1/openapi.json") { _, _ -> Response in
            Self.response(self.openAPI, status: .ok, headers: [.cacheControl: "no-cache"])
        }
        router.post("api/v1/**") { request, _ -> Response in
            try await self.handle(request)
        }
    }

    // MARK: Requests

    /// One API call: the request to the engine, its reply back. Throws only when the body cannot be read
    /// (the client went away).
    func handle(_ request: Hummingbird.Request) async throws -> Response {
        let topic = APIPath.topic(ofPath: request.uri.path)
        let idempotencyKey = request.headers[.idempotencyKey]
        let limit = bodyLimit(topic: topic)
        let body: [UInt8]
        switch try await Self.read(request.body, declaredLength: request.headers[.contentLength].flatMap { Int($0) }, upTo: limit) {
        case .some(let bytes):
            body = bytes.isEmpty ? Array("{}".utf8) : bytes
        case .none:
            // Refused before the body was read through: nothing of it, its `request_id` included, is known.
            let reply = RequestProcessor.encode(
                ChatError(.tooLarge, "the body is over \(limit) bytes"), topic: topic, requestId: idempotencyKey)
            var response = respond(reply)
            response.headers[.connection] = "close"
            return response
        }
        let credentials: InboundRequest.Credentials = request.headers.bearerToken.map { .bearer(String($0)) } ?? .payloadOnly
        let pending = PendingReply()
        engine.submit(InboundRequest(
            topic: topic, payload: body, credentials: credentials, replyTo: .waiting(ReplySink { pending.resolve($0) }),
            idempotencyKey: idempotencyKey))
        guard let reply = await pending.wait(timeout: configuration.replyTimeout) else {
            logger.warning("no reply in time", metadata: ["topic": "\(topic)", "timeout": "\(configuration.replyTimeout)"])
            let reply = RequestProcessor.encode(
                ChatError(.internal, "no reply within \(configuration.replyTimeout) s; retry with the same request id"),
                topic: topic, requestId: idempotencyKey)
            return Self.response(reply, status: .serviceUnavailable, headers: [.retryAfter: "1"])
        }
        return respond(reply)
    }

    /// The largest body taken for `topic`: the engine's payload limit, or for bulk routes (file uploads
    /// and downloads) the most it decodes at all; the route's own validation answers `too_large` between.
    func bodyLimit(topic: String) -> Int {
        engine.pipeline.classify(topic).match?.isBulk == true
            ? RequestProcessor.hardPayloadLimit : engine.services.configuration.maxPayloadBytes
    }

    /// The reply as a response: its status from the reply's error code, `WWW-Authenticate` on 401 and
    /// `Retry-After` on 429.
    func respond(_ reply: [UInt8]) -> Response {
        let outcome = APIStatus(reply: reply)
        var headers: HTTPFields = [.cacheControl: "no-store"]
        if outcome.status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        if let retryAfter = outcome.retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Self.response(reply, status: outcome.status, headers: headers)
    }

    static func response(_ bytes: [UInt8], status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The body, or nil as soon as it is known to be over `limit` bytes: from `Content-Length` before
    /// anything is read, else while reading (chunked bodies).
    static func read(_ body: RequestBody, declaredLength: Int?, upTo limit: Int) async throws -> [UInt8]? {
        if let declaredLength, declaredLength > limit { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(declaredLength ?? 1024, limit))
        for try await buffer in body {
            guard bytes.count + buffer.readableBytes <= limit else { return nil }
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        return bytes
    }
}

extension HTTPField.Name {
    /// `Idempotency-Key` (IETF draft-ietf-httpapi-idempotency-key-header).
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}
