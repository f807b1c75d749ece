import Actors
import Logging
import MQTT
import Synchronization
import Wire

/// Takes one inbound MQTT message through the pipeline: decode → authenticate → de-duplicate →
/// rate limit → route middleware → handler → reply. Every attributable request gets exactly one reply.
final class RequestProcessor: Sendable {
    let services: ChatServices
    let router: Router
    let authenticator: Authenticator
    let rateLimiter: RateLimiter
    let replies = ReplyCache()
    let outbox: any Outbox
    let logger: Logger
    let counters = Counters()

    /// What did not make it to a handler, for logs and metrics.
    final class Counters: Sendable {
        let dropped = Atomic<Int>(0)
        let handled = Atomic<Int>(0)
    }

    /// Largest payload decoded at all: beyond it no token can be looked for, so the request is dropped.
    static let hardPayloadLimit = 4 * 1024 * 1024

    init(services: ChatServices, router: Router, authenticator: Authenticator, outbox: any Outbox) {
        self.services = services
        self.router = router
        self.authenticator = authenticator
        self.rateLimiter = RateLimiter(limit: services.configuration.rateLimit)
        self.outbox = outbox
        self.logger = services.logger
    }

    /// A message on its way from libmosquitto's thread to a lane.
    struct Inbound: Sendable {
        let message: MQTTMessage
        let match: RouteMatch?
    }

    func handle(_ inbound: Inbound) async {
        let message = inbound.message
        let started = ContinuousClock.now
        let now = services.now()
        guard message.payload.count <= Self.hardPayloadLimit,
              case .object(let payload)? = try? JSONParser.parse(message.payload, maxDepth: 32)
        else {
            return drop(message, reason: "payload is not a JSON object")
        }
        let user: Identity
        switch authenticator.identify(payload: payload, message: message, now: now) {
        case .success(let identity): user = identity
        case .failure(let failure): return drop(message, reason: "\(failure)")
        }
        let channel = ReplyChannel(message: message, userId: user.userId)
        var requestId: String?
        var reply: [UInt8]
        var outcome = ChatError.Code.internal.rawValue
        do {
            requestId = try Self.requestId(payload)
            if let requestId, let cached = replies.reply(user: user.userId, requestId: requestId, now: now) {
                outbox.publish(topic: channel.topic, payload: cached, correlationData: channel.correlationData)
                return
            }
            try rateLimiter.take(user.userId, now: now)
            guard let match = inbound.match else {
                throw ChatError(.unknownRoute, "no route for topic \(message.topic)")
            }
            var request = Request(
                topic: message.topic, match: match, payload: payload, user: user,
                payloadSize: message.payload.count, now: now)
            for middleware in match.route.middleware { try middleware.process(&request) }
            let result = try await match.route.handler(&request)
            outcome = result.status
            reply = Self.encode(result, topic: message.topic, requestId: requestId)
        } catch let error as ChatError {
            outcome = error.code.rawValue
            reply = Self.encode(error, topic: message.topic, requestId: requestId)
            if error.code == .rateLimited || error.code == .internal { requestId = nil }
        } catch {
            logger.error("handler failed", metadata: ["topic": "\(message.topic)", "error": "\(error)"])
            reply = Self.encode(ChatError(.internal, "internal error"), topic: message.topic, requestId: requestId)
            requestId = nil
        }
        counters.handled.add(1, ordering: .relaxed)
        EngineMetrics.current.requestHandled(route: inbound.match?.route.pattern.description ?? "unmatched", outcome: outcome, duration: .now - started)
        outbox.publish(topic: channel.topic, payload: reply, correlationData: channel.correlationData)
        if let requestId { replies.store(user: user.userId, requestId: requestId, reply: reply, now: now) }
    }

    static func requestId(_ payload: [String: JSONValue]) throws(ChatError) -> String? {
        guard let value = payload["request_id"], !value.isNull else { return nil }
        guard let text = value.stringValue, text.utf8.count <= 128 else {
            throw ChatError.validation("'request_id' must be a string of at most 128 characters")
        }
        return text
    }

    func drop(_ message: MQTTMessage, reason: String) {
        counters.dropped.add(1, ordering: .relaxed)
        EngineMetrics.current.requestDropped()
        logger.debug("dropped unattributable request", metadata: ["topic": "\(message.topic)", "reason": "\(reason)"])
    }

    static func encode(_ reply: Reply, topic: String, requestId: String?) -> [UInt8] {
        var object = reply.fields
        object["request_id"] = requestId.map(JSONValue.string) ?? .null
        object["topic"] = .string(topic)
        object["status"] = .string(reply.status)
        return JSONValue.object(object).serialized()
    }

    static func encode(_ error: ChatError, topic: String, requestId: String?) -> [UInt8] {
        var detail: [String: JSONValue] = ["code": .string(error.code.rawValue), "message": .string(error.message)]
        if let retryAfter = error.retryAfter { detail["retry_after"] = .number(retryAfter) }
        return JSONValue.object([
            "request_id": requestId.map(JSONValue.string) ?? .null, "topic": .string(topic),
            "status": "error", "error": .object(detail),
        ]).serialized()
    }
}
