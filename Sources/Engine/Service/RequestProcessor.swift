import Actors
import Logging
import Persistence
import Synchronization
import Wire

/// Takes one inbound request, from any transport, through the pipeline: decode → authenticate → de-duplicate →
/// rate limit → route middleware → handler → reply. Every attributable request gets exactly one reply.
final class RequestProcessor: Sendable {
    let services: ChatServices
    let router: Router
    let authenticator: Authenticator
    let rateLimiter: RateLimiter
    let replies: ReplyCache
    let outbox: any Outbox
    let logger: Logger
    let counters = Counters()
    let metrics = EngineMetrics.current

    /// What did not make it to a handler, for logs and metrics.
    final class Counters: Sendable {
        let dropped = Atomic<Int>(0)
        let handled = Atomic<Int>(0)
    }

    /// Largest payload decoded at all: beyond it no token can be looked for, so the request is dropped.
    static let hardPayloadLimit = 4 * 1024 * 1024

    /// Largest payload decoded on libmosquitto's thread; larger ones (file chunks, and payloads that will
    /// be refused as `too_large`) are decoded in a bulk lane.
    var inlinePayloadLimit: Int { services.configuration.maxPayloadBytes }

    init(services: ChatServices, router: Router, authenticator: Authenticator, outbox: any Outbox) {
        self.services = services
        self.router = router
        self.authenticator = authenticator
        let limits = services.configuration.limits
        self.rateLimiter = RateLimiter(limit: services.configuration.rateLimit, maxBuckets: limits.rateLimitBuckets)
        self.replies = ReplyCache(
            bytesPerUser: limits.replyCacheBytesPerUser, bytesTotal: limits.replyCacheBytesTotal, expand: Self.expandMessageSent)
        self.outbox = outbox
        self.logger = services.logger
    }

    /// An attributable request on its way from its transport's thread to a lane.
    struct Inbound: Sendable {
        let request: InboundRequest
        let match: RouteMatch?
        let payload: [String: JSONValue]
        let user: Identity
        /// Unix seconds when it was admitted.
        let now: Double
    }

    /// What a lane runs: a request admitted on the network thread, or a bulk one it admits itself.
    enum Work: Sendable {
        case admitted(Inbound)
        case unadmitted(InboundRequest, RouteMatch?)
    }

    /// Runs one piece of lane work.
    func perform(_ work: Work) async {
        switch work {
        case .admitted(let inbound):
            await handleInOrder(inbound)
        case .unadmitted(let request, let match):
            if let inbound = admit(request, match: match) { await handleInOrder(inbound) }
        }
    }

    /// `handle`, with the request's publishes kept behind its room-topic events (PROTOCOL §1.7); inbox
    /// fan-out publishes in order anyway.
    private func handleInOrder(_ inbound: Inbound) async {
        guard services.delivery.roomTopics != nil else { return await handle(inbound) }
        await RoomTopicsPublished.$current.withValue(RoomTopicsPublished()) { await handle(inbound) }
    }

    /// Runs on the transport's thread (libmosquitto's, the gateway's intake) before a request takes a
    /// place in a lane (bulk routes: in their own lane): decode, authenticate and rate-limit here, so
    /// garbage, forged tokens and a flooding user's surplus cost microseconds and never queue in front of
    /// other users' requests. A refusal is answered from here. Returns nil for what goes no further.
    func admit(_ request: InboundRequest, match: RouteMatch?) -> Inbound? {
        let now = services.now()
        guard request.payload.count <= Self.hardPayloadLimit,
              case .object(let payload)? = try? JSONParser.parse(request.payload, maxDepth: 32)
        else {
            drop(request, reason: "payload is not a JSON object", answering: ChatError(.invalidPayload, "the payload must be a JSON object"))
            return nil
        }
        let user: Identity
        switch authenticator.identify(payload: payload, credentials: request.credentials, now: now) {
        case .success(let identity):
            user = identity
        case .failure(let failure):
            drop(request, reason: "\(failure)", answering: ChatError(.unauthorized, failure.description))
            return nil
        }
        let requestId = (try? Self.requestId(payload, idempotencyKey: request.idempotencyKey)) ?? nil
        // A retry the cache answers changes nothing and costs a lookup: it does not count against the limit.
        // A transport's own request for a user it speaks for (`verified`) is not the user's to count.
        let isRememberedRetry = rememberedReply(to: request.topic, requestId: requestId, user: user.userId, now: now) != nil
        if case .verified = request.credentials {
        } else if !isRememberedRetry,
           case .refused(let retryAfter, let answer) = rateLimiter.take(user.userId, now: now, hasRequestId: requestId != nil) {
            // A caller waiting on its connection (HTTP) is always answered: the throttle saves publishes
            // to an inbox nobody may read, and this answer goes to nobody else.
            guard answer || request.replyTo.isWaiting else {
                drop(request, reason: "rate limited, refusal already answered")
                return nil
            }
            refuse(request, user: user, requestId: requestId, match: match,
                   ChatError(.rateLimited, "too many requests", retryAfter: retryAfter))
            return nil
        }
        return Inbound(request: request, match: match, payload: payload, user: user, now: now)
    }

    /// Answers a request refused before it reached a lane. Never remembered: the refusal depends on the
    /// moment. `outcome` labels it in the metrics (the error code by default).
    private func refuse(
        _ request: InboundRequest, user: Identity, requestId: String?, match: RouteMatch?, _ error: ChatError, outcome: String? = nil
    ) {
        counters.handled.add(1, ordering: .relaxed)
        metrics.requestHandled(route: match?.route.name ?? "unmatched", outcome: outcome ?? error.code.rawValue, duration: .zero)
        outbox.reply(
            Self.encode(error, topic: request.topic, requestId: requestId), via: ReplyChannel(request.replyTo, userId: user.userId))
    }

    /// Runs in the request's lane: de-duplicate, route middleware, handler, exactly one reply.
    func handle(_ inbound: Inbound) async {
        let received = inbound.request
        let user = inbound.user
        let now = inbound.now
        let started = ContinuousClock.now
        let channel = ReplyChannel(received.replyTo, userId: user.userId)
        let requestId = Result { () throws(ChatError) in try Self.requestId(inbound.payload, idempotencyKey: received.idempotencyKey) }
        let echoedId = (try? requestId.get()) ?? nil
        var requestKey = echoedId.map { Self.requestKey(topic: received.topic, requestId: $0) }
        var reply: [UInt8]
        var compact: ReplyCache.Compact?
        var outcome = ChatError.Code.internal.rawValue
        do {
            _ = try requestId.get()
            if let cached = rememberedReply(to: received.topic, requestId: echoedId, user: user.userId, now: now) {
                outbox.reply(cached, via: channel)
                return
            }
            try services.requireNotGloballyBanned(user.userId)
            guard let match = inbound.match else {
                throw ChatError(.unknownRoute, "no route for topic \(received.topic)")
            }
            var request = Request(
                topic: received.topic, match: match, payload: inbound.payload, user: user,
                payloadSize: received.payload.count, now: now)
            for middleware in match.route.middleware { try middleware.process(&request) }
            let origin = requestKey.map { ChangeOrigin(userId: user.userId, requestKey: $0) }
            let result = try await ChangeOrigin.$current.withValue(origin) { try await match.route.handler(&request) }
            outcome = result.status
            reply = Self.encode(result, topic: received.topic, requestId: echoedId)
            if requestKey != nil { compact = Self.compactForm(of: result, topic: received.topic, requestId: echoedId, encoded: reply) }
        } catch let error as ChatError {
            outcome = error.code.rawValue
            reply = Self.encode(error, topic: received.topic, requestId: echoedId)
            // A refusal that depends on the moment (rate, a failed write) must not stick to the request id.
            if error.code == .rateLimited || error.code == .internal { requestKey = nil }
        } catch {
            logger.error("handler failed", metadata: ["topic": "\(received.topic)", "error": "\(error)"])
            reply = Self.encode(ChatError(.internal, "internal error"), topic: received.topic, requestId: echoedId)
            requestKey = nil
        }
        counters.handled.add(1, ordering: .relaxed)
        metrics.requestHandled(route: inbound.match?.route.name ?? "unmatched", outcome: outcome, duration: .now - started)
        // Reads (and unknown routes) change nothing: a retry runs them again, so their replies, a file
        // chunk among them, are never held.
        if let requestKey, let route = inbound.match?.route, !route.isReadOnly {
            remember(reply, user: user.userId, requestKey: requestKey, now: now, compact: compact)
        }
        outbox.reply(reply, via: channel)
    }

    /// Answers a request its lane had no room for, on the caller's thread: its remembered reply if it is a
    /// retry, else `rate_limited` (the engine is busy), which is not remembered, so a retry is served.
    func refuseBusy(_ inbound: Inbound) {
        let received = inbound.request
        let requestId = (try? Self.requestId(inbound.payload, idempotencyKey: received.idempotencyKey)) ?? nil
        if let cached = rememberedReply(to: received.topic, requestId: requestId, user: inbound.user.userId, now: inbound.now) {
            outbox.reply(cached, via: ReplyChannel(received.replyTo, userId: inbound.user.userId))
            return
        }
        refuse(received, user: inbound.user, requestId: requestId, match: inbound.match,
               ChatError(.rateLimited, "the engine is busy; retry shortly", retryAfter: 1), outcome: "busy")
    }

    /// The reply remembered for this request, if it carries a `request_id` and is a retry.
    private func rememberedReply(to topic: String, requestId: String?, user: String, now: Double) -> [UInt8]? {
        requestId.flatMap { replies.reply(user: user, requestId: Self.requestKey(topic: topic, requestId: $0), now: now) }
    }

    /// Caches and journals a reply before it is published, so a retry after a crash is still answered,
    /// not applied again. A reply too large for the cache's bounds is neither: the journal and snapshots
    /// carry only what the cache holds.
    private func remember(_ reply: [UInt8], user: String, requestKey: String, now: Double, compact: ReplyCache.Compact? = nil) {
        guard replies.store(user: user, requestId: requestKey, reply: reply, now: now, compact: compact) else { return }
        let expiresAt = now + replies.ttl
        _ = try? services.delivery.record(.reply(CachedReply(userId: user, requestId: requestKey, reply: reply, expiresAt: expiresAt)))
    }

    /// Answers requests the journal shows applied but never answered (the process died between the
    /// change and the reply): the route's `recover` rebuilds each reply from the changes, and it is
    /// remembered like any other, so the retry that follows is answered instead of applied twice.
    /// Requests of routes without `recover` (safe to apply again) are left alone. Returns how many were
    /// answered.
    func answer(_ requests: [UnansweredRequest], now: Double) -> Int {
        var answered = 0
        for request in requests {
            let key = request.origin.requestKey
            guard let (topic, requestId) = Self.parts(ofRequestKey: key),
                  let recover = router.match(topic)?.route.recover, let reply = recover(request.changes)
            else { continue }
            let encoded = Self.encode(reply, topic: topic, requestId: requestId)
            remember(encoded, user: request.origin.userId, requestKey: key, now: now,
                     compact: Self.compactForm(of: reply, topic: topic, requestId: requestId, encoded: encoded))
            answered += 1
        }
        return answered
    }

    // MARK: Compact replies

    /// The reply to a message post as the cache keeps it: seq and timestamp, when the reply is exactly what
    /// ``expandMessageSent`` rebuilds from them (checked byte for byte), else nil.
    static func compactForm(of result: Reply, topic: String, requestId: String?, encoded: [UInt8]) -> ReplyCache.Compact? {
        guard result.status == "message_sent", let requestId, result.fields.count == 4,
              let seq = result.fields["seq"]?.doubleValue, let timestamp = result.fields["timestamp"]?.doubleValue,
              seq >= 1, seq < 9_007_199_254_740_992, seq == seq.rounded()
        else { return nil }
        let compact = ReplyCache.Compact(seq: UInt64(seq), timestamp: timestamp)
        guard expandMessageSent(requestKey(topic: topic, requestId: requestId), compact) == encoded else { return nil }
        return compact
    }

    /// The `message_sent` reply to the request under `key` (a `chat/message/{room_id}` topic and its
    /// `request_id`) that posted message `seq` at `timestamp`: what ``MessageHandlers/sent(_:)`` answers.
    @Sendable static func expandMessageSent(_ key: String, _ compact: ReplyCache.Compact) -> [UInt8] {
        let prefix = "chat/message/"
        guard let (topic, requestId) = parts(ofRequestKey: key), topic.hasPrefix(prefix) else { return [] }
        let roomId = String(topic.dropFirst(prefix.count))
        let reply = Reply("message_sent", [
            "message_id": .string(ChatMessage.id(roomId: roomId, seq: compact.seq)), "room_id": .string(roomId),
            "seq": .number(Double(compact.seq)), "timestamp": .number(compact.timestamp),
        ])
        return encode(reply, topic: topic, requestId: requestId)
    }

    /// The key replies are remembered under: the topic and the `request_id`, NUL-separated. A topic never
    /// holds NUL (MQTT forbids it), so the first NUL splits the key again.
    static func requestKey(topic: String, requestId: String) -> String { "\(topic)\u{0}\(requestId)" }

    static func parts(ofRequestKey key: String) -> (topic: String, requestId: String)? {
        guard let separator = key.firstIndex(of: "\u{0}") else { return nil }
        return (String(key[..<separator]), String(key[key.index(after: separator)...]))
    }

    /// The request's de-duplication key: the payload's `request_id`, else the transport's idempotency key.
    static func requestId(_ payload: [String: JSONValue], idempotencyKey: String? = nil) throws(ChatError) -> String? {
        guard let value = payload["request_id"], !value.isNull else {
            guard let idempotencyKey else { return nil }
            guard idempotencyKey.utf8.count <= 128 else {
                throw ChatError.validation("the idempotency key must be at most 128 characters")
            }
            return idempotencyKey
        }
        guard let text = value.stringValue, text.utf8.count <= 128 else {
            throw ChatError.validation("'request_id' must be a string of at most 128 characters")
        }
        return text
    }

    /// Gives up on a request nobody can be named for. Over MQTT there is no inbox to answer in; a
    /// transport waiting for the reply (HTTP) gets `answer`, so its caller learns why.
    func drop(_ request: InboundRequest, reason: String, answering answer: ChatError? = nil) {
        counters.dropped.add(1, ordering: .relaxed)
        metrics.requestDropped()
        logger.debug("dropped unattributable request", metadata: ["topic": "\(request.topic)", "reason": "\(reason)"])
        if case .waiting(let sink) = request.replyTo {
            let requestId = (try? JSONParser.parse(request.payload))?["request_id"]?.stringValue ?? request.idempotencyKey
            sink.deliver(Self.encode(answer ?? ChatError(.invalidPayload, reason), topic: request.topic, requestId: requestId))
        }
    }

    static func encode(_ reply: Reply, topic: String, requestId: String?) -> [UInt8] {
        var object = reply.fields
        object["request_id"] = requestId.map(JSONValue.string) ?? .null
        object["topic"] = .string(topic)
        object["status"] = .string(reply.status)
        // A `message_sent` may be kept compact and rebuilt for a retry (``compactForm``): its keys go in a
        // fixed order so the rebuilt bytes are the original bytes (PROTOCOL §1.6), in any process.
        guard !reply.encodedFields.isEmpty else { return JSONValue.object(object).serialized(sortedKeys: reply.status == "message_sent") }
        var writer = JSONWriter(capacity: 256 + reply.encodedFields.reduce(0) { $0 + $1.name.utf8.count + $1.json.count + 4 })
        writer.beginObject()
        for (name, value) in object { writer.field(name, value) }
        for (name, json) in reply.encodedFields {
            writer.key(name)
            writer.raw(json)
        }
        writer.endObject()
        return writer.bytes
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
