import Actors
import Foundation
import Persistence
import Logging
import MQTT
import ServiceLifecycle
import Synchronization
import Wire

/// The engine as a service, and its composition root: the core (`EngineCore`: routes, pipeline,
/// lanes), the MQTT transport's two broker connections, the web gateway's sockets and the snapshotter.
///
/// Requests arrive on the inbound connection (persistent session, one subscription per route); replies
/// and events leave on the outbound one. Keeping them apart lets shutdown stop intake first — the broker
/// then queues new requests in the session — while in-flight requests still publish their replies.
public final class ChatEngine: Service, Sendable {
    let core: EngineCore
    public var services: ChatServices { core.services }
    var processor: RequestProcessor { core.processor }
    var router: Router { core.router }
    var pipeline: RequestPipeline { core.pipeline }
    /// Open WebSockets of the web gateway; everything published to a user's inbox also goes to them.
    let sockets: SocketRegistry
    let intake: MQTTIntake
    var inbound: MQTTClient { intake.client }
    let outbound: MQTTClient
    let logger: Logger
    /// Nil when the engine runs without a data directory (state in memory only).
    let snapshotter: Snapshotter?

    /// The version written into snapshot headers.
    public static let version = "0.1.0"

    /// Builds the engine; nothing connects until `run()`.
    /// - Throws: `TokenError.secretTooShort` when the secret is under 32 bytes, or the store's error when
    ///   the data directory holds state that cannot be read (unless `allowEmptyStart`).
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
        self.core = core
        self.sockets = sockets
        self.outbound = outbound
        self.intake = try MQTTIntake(
            configuration: MQTTConfiguration(
                host: brokers[0].host, port: brokers[0].port, fallbacks: Array(brokers.dropFirst()),
                clientID: configuration.clientID,
                username: configuration.mqttUsername, password: configuration.mqttPassword,
                cleanStart: false, sessionExpiry: 7 * 24 * 3600),
            pipeline: core.pipeline, logger: logger)
    }

    /// Takes one request from a transport that cannot wait (the WebSocket gateway, HTTP): classify →
    /// admit → the lane; a request whose lane is full is answered `rate_limited` (busy).
    func submit(_ request: InboundRequest) {
        pipeline.submit(request)
    }

    /// Waits until the engine has subscribed to every route (the moment it logs `ready`).
    public func waitUntilReady(timeout: Double) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while !intake.isReady.load(ordering: .acquiring) {
            guard ContinuousClock.now < deadline else { throw MQTTError("waiting for ready", code: -1) }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Runs the engine's parts as one service group. They stop one at a time in the reverse of this
    /// order: intake first (the broker queues what comes next in the session), then the lanes drain what
    /// was taken, the timers stop (nothing may change after the final snapshot: the journal closes behind
    /// it), the push sender lets its POSTs in flight end (what stays queued is in the snapshot), the
    /// snapshotter writes that snapshot, and the outbound connection goes last, once the broker
    /// has acknowledged every reply. The HTTP listener, in the caller's group after the engine, has
    /// stopped before any of them.
    public func run() async throws {
        try await outbound.connect()
        var parts: [any Service] = [MQTTPublisher(client: outbound, logger: logger)]
        if let snapshotter { parts.append(snapshotter) }
        if let sender = pushSender() { parts.append(sender) }
        parts.append(ExpiryTimers(scheduler: services.scheduler))
        parts.append(RequestLanes(dispatcher: core.dispatcher, processor: processor))
        parts.append(intake)
        let group = ServiceGroup(configuration: .init(services: parts, logger: logger))
        try await withGracefulShutdownHandler {
            try await group.run()
        } onGracefulShutdown: {
            Task { await group.triggerGracefulShutdown() }
        }
        logger.info("stopped")
    }

    /// The push webhook's sender, when `--push-webhook-url` is set.
    func pushSender() -> PushSender? {
        let push = services.push
        guard let queue = push.queue, let target = push.target else { return nil }
        return PushSender(
            queue: queue,
            client: WebhookClient(target: target, secret: push.secret, timeout: push.configuration.timeout),
            concurrency: push.configuration.concurrency, logger: logger)
    }
}
