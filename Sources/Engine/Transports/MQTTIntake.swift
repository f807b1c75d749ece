import Logging
import MQTT
import ServiceLifecycle
import Synchronization

/// The MQTT transport's way in: the engine's inbound broker connection (a persistent session, so the
/// broker queues requests while the engine is down or shutting down), its subscriptions, and the turning
/// of each delivered copy into an `InboundRequest` for the pipeline.
///
/// As a service it connects and subscribes, reports ready, and at shutdown disconnects first of all the
/// engine's parts, so no new request is taken while those in flight are finished.
final class MQTTIntake: Service, Sendable {
    let client: MQTTClient
    let routes: [Route]
    let logger: Logger
    /// Set once every subscription is in place: from then on no request is lost to a missing filter.
    let isReady = Atomic<Bool>(false)

    /// Subscription identifier of the catch-all filters that answer `unknown_route`.
    static let catchAllIdentifier: UInt32 = 100_000

    /// QoS of the catch-all filters: that of most routes (the hot ones, `message/{room_id}` among them),
    /// which then need no subscription of their own, so the broker sends the engine one copy of each.
    static let catchAllQoS: Int32 = 1

    init(configuration: MQTTConfiguration, pipeline: RequestPipeline, logger: Logger) throws {
        self.routes = pipeline.router.routes
        self.logger = logger
        let router = pipeline.router
        client = try MQTTClient(configuration: configuration, logger: logger, offer: { message in
            guard let (match, key) = Self.classify(message, router: router) else { return true }
            // A retained request would be served again on every resubscribe of any session; the
            // subscriptions keep the flag visible (retain as published) so it is refused here, never applied.
            if message.retain {
                pipeline.processor.drop(Self.request(from: message), reason: "retained request")
                return true
            }
            return pipeline.offer(Self.request(from: message), match: match, laneKey: key)
        })
    }

    func run() async throws {
        try await client.connect(subscriptions: subscriptions, unsubscribing: obsoleteFilters)
        isReady.store(true, ordering: .releasing)
        logger.info("ready", metadata: ["routes": "\(routes.count)", "broker": "\(client.broker)"])
        try? await gracefulShutdown()
        logger.info("shutting down: intake stopped, finishing requests in flight")
        client.disconnect()
    }

    /// The request a delivered copy carries: its token beside the payload is an MQTT 5 `authorization`
    /// user property `Bearer <jwt>`; the reply goes to its Response Topic with its Correlation Data.
    static func request(from message: MQTTMessage) -> InboundRequest {
        var credentials = InboundRequest.Credentials.payloadOnly
        if let header = message.userProperty("authorization"), header.hasPrefix("Bearer ") {
            credentials = .bearer(String(header.dropFirst("Bearer ".count)))
        }
        return InboundRequest(
            topic: message.topic, payload: message.payload, credentials: credentials,
            replyTo: .inbox(responseTopic: message.responseTopic, correlationData: message.correlationData))
    }

    /// The subscriptions: the catch-all filters, plus a filter of its own for each route whose QoS differs.
    var subscriptions: [MQTTSubscription] {
        Self.subscriptions(for: routes)
    }

    /// Filters earlier versions subscribed the persistent inbound session to, and this one no longer does:
    /// `chat/#`, and the own filters of routes the catch-all now serves. Left in the session they would
    /// bring a second copy of every request.
    var obsoleteFilters: [String] {
        ["chat/#"] + routes.filter { $0.qos == Self.catchAllQoS }.map(\.pattern.filter)
    }

    static func subscriptions(for routes: [Route]) -> [MQTTSubscription] {
        routes.filter { $0.qos != catchAllQoS }.map { route in
            MQTTSubscription(filter: route.pattern.filter, qos: route.qos, identifier: UInt32(route.index + 1), excludesRetained: true)
        } + catchAllFilters(routeFilters: routes.map(\.pattern.filter)).map { filter in
            MQTTSubscription(filter: filter, qos: catchAllQoS, identifier: catchAllIdentifier, noLocal: true, excludesRetained: true)
        }
    }

    /// Filters that together match every `chat/…` topic a request can be sent to, but not the inboxes.
    ///
    /// `chat/#` would also match every `chat/user/{id}/…` event the outbound session publishes (no-local
    /// only spares a session its own publishes), so the broker would send the engine a copy of each of
    /// its deliveries: half the broker's work at full load, all of it thrown away. The filters are
    /// disjoint by depth: `chat/+` and `chat/+/+` (no inbox is that short), then `chat/{first}/+/+/#` for
    /// the first level of every route. A topic four or more levels deep under an unknown first level
    /// gets no `unknown_route` reply.
    static func catchAllFilters(routeFilters: [String]) -> [String] {
        var firstLevels: [String] = []
        for filter in routeFilters {
            let levels = filter.split(separator: "/", omittingEmptySubsequences: false)
            guard levels.count > 1, levels[0] == "chat", levels[1] != "+", levels[1] != "user" else { continue }
            let first = String(levels[1])
            if !firstLevels.contains(first) { firstLevels.append(first) }
        }
        return ["chat/+", "chat/+/+"] + firstLevels.map { "chat/\($0)/+/+/#" }
    }

    /// Decides on libmosquitto's thread whether a delivered copy is work, and on which lane.
    ///
    /// MQTT 5 brokers deliver one copy per matching subscription, so a topic matching two filters (a route's
    /// and the catch-all, or two routes') arrives twice; only the copy for the route the router picks counts:
    /// the catch-all's for unknown topics and routes at the catch-all's QoS, the route's own otherwise.
    static func classify(_ message: MQTTMessage, router: Router) -> (match: RouteMatch?, laneKey: String)? {
        if message.topic.hasPrefix("chat/user/") { return nil }
        let match = router.match(message.topic)
        if let identifier = message.subscriptionIdentifiers.first {
            if identifier == catchAllIdentifier {
                if let match, match.route.qos != catchAllQoS { return nil }
            } else if match?.route.index != Int(identifier) - 1 {
                // A route at the catch-all's QoS has no filter of its own now, but requests queued in the
                // persistent session under one an earlier version subscribed still arrive with its
                // identifier, once: they are served. (`obsoleteFilters` are unsubscribed at connect.)
                return nil
            }
        }
        return (match, match?.laneKey ?? message.topic)
    }
}
