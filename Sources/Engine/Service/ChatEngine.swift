import Actors
import Foundation
import Persistence
import Logging
import MQTT
import ServiceLifecycle
import Synchronization
import Wire

/// The engine as a service: two broker connections, ordered lanes, and the request pipeline.
///
/// Requests arrive on the inbound connection (persistent session, one subscription per route); replies
/// and events leave on the outbound one. Keeping them apart lets shutdown stop intake first — the broker
/// then queues new requests in the session — while in-flight requests still publish their replies.
public final class ChatEngine: Service, Sendable {
    let core: EngineCore
    public var services: ChatServices { core.services }
    var processor: RequestProcessor { core.processor }
    var router: Router { core.router }
    let dispatcher: Dispatcher<RequestProcessor.Work>
    /// Open WebSockets of the web gateway; everything published to a user's inbox also goes to them.
    let sockets: SocketRegistry
    let inbound: MQTTClient
    let outbound: MQTTClient
    let logger: Logger
    let ready = Atomic<Bool>(false)
    /// Nil when the engine runs without a data directory (state in memory only).
    let snapshotter: Snapshotter?

    /// The version written into snapshot headers.
    public static let version = "0.1.0"

    /// Subscription identifier of the catch-all filters that answer `unknown_route`.
    static let catchAllIdentifier: UInt32 = 100_000

    /// Builds the engine; nothing connects until `run()`.
    /// - Throws: `TokenError.secretTooShort` when the secret is under 32 bytes.
    /// - Throws: `TokenError.secretTooShort`, or the store's error when the data directory holds state that
    ///   cannot be read (unless `allowEmptyStart`).
    public init(configuration: EngineConfiguration, logger: Logger) throws {
        self.logger = logger
        var journal: JournalChangeLog?
        var recovered: RecoveredState?
        if let directory = configuration.dataDirectory {
            guard let policy = FsyncPolicy(parsing: configuration.fsync) else {
                throw ConfigurationError("fsync must be always, everysec or no, got '\(configuration.fsync)'")
            }
            let (store, state) = try ChatStore.open(
                directory: directory, fsync: policy, logger: logger, allowEmptyStart: configuration.allowEmptyStart,
                options: ChatStore.Options(ringCapacity: configuration.ringCapacity, engineVersion: Self.version))
            journal = JournalChangeLog(store: store)
            recovered = state
        }
        let brokers = try configuration.mqttBrokers
        let outbound = try MQTTClient(
            configuration: MQTTConfiguration(
                host: brokers[0].host, port: brokers[0].port, fallbacks: Array(brokers.dropFirst()),
                clientID: configuration.clientID + "-out",
                username: configuration.mqttUsername, password: configuration.mqttPassword,
                // libmosquitto walks every in-flight QoS 1 publish on each PUBACK (message__release_to_inflight):
                // at 400 that walk was a quarter of the network thread's CPU, at 48 or 100 it is noise and the
                // throughput the same (docs/BENCHMARKS.md). MQTTClient queues the rest itself.
                sendMaximum: 100),
            logger: logger, onMessage: { _ in })
        let failures: @Sendable (MQTTError) -> Void = { error in
            logger.warning("publish failed", metadata: ["error": "\(error)"])
        }
        let sockets = SocketRegistry()
        let outbox = GatewayOutbox(base: MQTTOutbox(client: outbound, failures: failures), sockets: sockets)
        let core = try EngineCore(
            configuration: configuration, logger: logger, outbox: outbox, changeLog: journal ?? VolatileChangeLog())
        if let recovered {
            let loaded = core.restore(recovered.state)
            let phases = recovered.phases
            logger.info("restore phases", metadata: [
                "read": "\(phases.read)", "inflate": "\(phases.inflate)", "decode": "\(phases.decode)",
                "replay": "\(phases.replay)", "actors": "\(loaded.rooms)", "replies": "\(loaded.replies)",
                "reply_count": "\(recovered.state.replies.count)",
            ])
            logger.info("state restored", metadata: [
                "summary": "\(recovered.summary)", "rooms": "\(recovered.roomCount)", "messages": "\(recovered.messageCount)",
                "journal_records": "\(recovered.recordsReplayed)", "duration": "\(recovered.duration)",
            ])
            if !recovered.unansweredRequests.isEmpty {
                let answered = core.processor.answer(recovered.unansweredRequests, now: core.services.now())
                logger.notice("requests applied before a crash but not answered: replies rebuilt from their changes", metadata: [
                    "unanswered": "\(recovered.unansweredRequests.count)", "answered": "\(answered)",
                ])
            }
        }
        snapshotter = journal.map { Snapshotter(core: core, log: $0, logger: logger) }
        let router = core.router
        let processor = core.processor
        let dispatcher = Dispatcher<RequestProcessor.Work>(
            laneCount: configuration.laneCount, capacity: configuration.laneCapacity)
        self.core = core
        self.sockets = sockets
        self.dispatcher = dispatcher
        self.outbound = outbound
        self.inbound = try MQTTClient(
            configuration: MQTTConfiguration(
                host: brokers[0].host, port: brokers[0].port, fallbacks: Array(brokers.dropFirst()),
                clientID: configuration.clientID,
                username: configuration.mqttUsername, password: configuration.mqttPassword,
                cleanStart: false, sessionExpiry: 7 * 24 * 3600),
            logger: logger,
            offer: { message in
                ChatEngine.offer(message, router: router, processor: processor, dispatcher: dispatcher)
            })
    }

    /// Takes one request into the pipeline from a transport that cannot wait (the WebSocket gateway):
    /// classify → admit → the lane; a request whose lane is full is answered `rate_limited` (busy).
    func submit(_ message: MQTTMessage) {
        if !Self.offer(message, router: router, processor: processor, dispatcher: dispatcher) {
            let match = router.match(message.topic)
            processor.admit(message, match: match).map(processor.refuseBusy)
        }
    }

    /// Offers one request the broker delivered, on libmosquitto's thread: classify → admit → the lane.
    /// Declines it (false) while its lane is full, before admitting it (so its rate-limit token is not
    /// spent twice): the client then holds it and stops reading until the lane has room.
    static func offer(
        _ message: MQTTMessage, router: Router, processor: RequestProcessor, dispatcher: Dispatcher<RequestProcessor.Work>
    ) -> Bool {
        guard let (match, key) = classify(message, router: router) else { return true }
        // A retained request would be served again on every resubscribe of any session; the subscriptions
        // keep the flag visible (retain as published) so it is refused here, never applied.
        if message.retain {
            processor.drop(message, reason: "retained request")
            return true
        }
        // Never decoded (admit drops it): not worth a place in a lane, where it would hold its bytes.
        if message.payload.count > RequestProcessor.hardPayloadLimit {
            processor.drop(message, reason: "payload over \(RequestProcessor.hardPayloadLimit) bytes")
            return true
        }
        // A file chunk is up to 2 MiB of JSON, and any other payload this large is refused anyway:
        // decoding it here would hold up every other request behind it, so the bulk lane admits it.
        let bulk = match?.isBulk == true || message.payload.count > processor.inlinePayloadLimit
        guard dispatcher.hasRoom(key: key, bulk: bulk) else { return false }
        if bulk {
            if !dispatcher.submit(.unadmitted(message, match), key: key, bulk: true) {
                processor.admit(message, match: match).map(processor.refuseBusy)
            }
            return true
        }
        guard let inbound = processor.admit(message, match: match) else { return true }
        // Only the gateway can have taken the free slot since `hasRoom`; a `.caller` route's lane is known
        // only now, and may be full.
        let lane = match?.laneKey(admittedFor: inbound.user.userId, classified: key) ?? key
        if !dispatcher.submit(.admitted(inbound), key: lane) { processor.refuseBusy(inbound) }
        return true
    }

    /// The subscriptions: the catch-all filters, plus a filter of its own for each route whose QoS differs.
    var subscriptions: [MQTTSubscription] {
        Self.subscriptions(for: router.routes)
    }

    /// Filters earlier versions subscribed the persistent inbound session to, and this one no longer does:
    /// `chat/#`, and the own filters of routes the catch-all now serves. Left in the session they would
    /// bring a second copy of every request.
    var obsoleteFilters: [String] {
        ["chat/#"] + router.routes.filter { $0.qos == Self.catchAllQoS }.map(\.pattern.filter)
    }

    /// QoS of the catch-all filters: that of most routes (the hot ones, `message/{room_id}` among them),
    /// which then need no subscription of their own, so the broker sends the engine one copy of each.
    static let catchAllQoS: Int32 = 1

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

    /// Waits until the engine has subscribed to every route (the moment it logs `ready`).
    public func waitUntilReady(timeout: Double) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while !ready.load(ordering: .acquiring) {
            guard ContinuousClock.now < deadline else { throw MQTTError("waiting for ready", code: -1) }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    public func run() async throws {
        try await outbound.connect()
        try await inbound.connect(subscriptions: subscriptions, unsubscribing: obsoleteFilters)
        ready.store(true, ordering: .releasing)
        logger.info("ready", metadata: [
            "routes": "\(router.routes.count)",
            "broker": "\(inbound.broker)",
        ])
        let processor = self.processor
        let snapshotter = self.snapshotter
        // Restored replies are indexed on first use; do it now, before most first requests arrive.
        Task.detached(priority: .utility) { processor.replies.settle() }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                if let snapshotter { group.addTask { await snapshotter.run() } }
                await dispatcher.run { await processor.perform($0) }
                group.cancelAll()
            }
        } onGracefulShutdown: { [inbound, dispatcher, logger] in
            logger.info("shutting down: intake stopped, finishing requests in flight")
            inbound.disconnect()
            dispatcher.finish()
        }
        // No presence, typing or upload expiry may fire into a closing engine.
        services.scheduler.stop()
        if let snapshotter {
            await snapshotter.write(reason: "shutdown")
            do {
                try snapshotter.log.store.close()
            } catch {
                logger.error("closing the journal failed", metadata: ["error": "\(error)"])
            }
        }
        if !(await outbound.flush(timeout: 5)) {
            logger.warning("some replies were not acknowledged by the broker before shutdown")
        }
        outbound.disconnect()
        logger.info("stopped")
    }
}
