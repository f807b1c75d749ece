import Actors
import Foundation
import Logging
import Persistence
import Wire

/// The engine without its transports: shared services, files, routes, the request pipeline and its
/// lanes. `ChatEngine` puts it behind MQTT and the web gateway; tests and the fuzzer drive it directly
/// through an `Outbox`.
///
/// `package` (not `public`) for the in-memory test engine (Tests/EngineTesting): the same core, fed
/// requests directly and publishing into a recording outbox, with no broker.
package final class EngineCore: Sendable {
    let services: ChatServices
    let files: FileService
    let router: Router
    let processor: RequestProcessor
    let dispatcher: Dispatcher<RequestProcessor.Work>
    let pipeline: RequestPipeline

    /// - Parameters:
    ///   - configuration: the engine's settings.
    ///   - logger: where everything logs.
    ///   - outbox: where replies and events go.
    ///   - changeLog: where changes are made durable.
    package init(configuration: EngineConfiguration, logger: Logger, outbox: any Outbox, changeLog: any ChangeLog) throws {
        let verifier = try TokenVerifier(secret: configuration.jwtSecret)
        let delivery = Delivery(
            log: changeLog, outbox: outbox, logger: logger,
            roomTopics: configuration.fanout == .roomTopic ? RoomTopics(secret: configuration.jwtSecret) : nil)
        let push = try PushCenter(
            configuration: configuration.push, log: changeLog, logger: logger, metrics: EngineMetrics.current.push)
        let services = ChatServices(configuration: configuration, delivery: delivery, push: push, logger: logger)
        let blobDirectory = configuration.dataDirectory.map { $0 + "/files" }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("chat-engine-files-\(UUID().uuidString)").path
        let files = FileService(services: services, blobs: try BlobStore(directory: blobDirectory))
        let router = ChatRoutes.make(services, files: files)
        self.services = services
        self.files = files
        self.router = router
        let processor = RequestProcessor(
            services: services, router: router, authenticator: Authenticator(verifier: verifier), outbox: outbox)
        self.processor = processor
        self.dispatcher = Dispatcher(laneCount: configuration.laneCount, capacity: configuration.laneCapacity)
        self.pipeline = RequestPipeline(router: router, processor: processor, dispatcher: dispatcher)
    }

    /// Loads recovered state into fresh actors and caches; returns how long the rooms and the replies took.
    @discardableResult
    func restore(_ state: EngineState) -> (rooms: Duration, replies: Duration) {
        let clock = ContinuousClock()
        var started = clock.now
        for room in state.rooms {
            services.registry.insert(RoomActor(
                state: room, effects: services.delivery, index: services.index, directory: services.directory))
        }
        let rooms = clock.now - started
        started = clock.now
        services.globalBans.withLock { $0 = state.globalBans }
        services.blocks.restore(state.blocks)
        services.push.restore(devices: state.pushDevices, pending: state.pendingPushes)
        processor.replies.restore(state.replies, now: services.now())
        let replies = clock.now - started
        for (userId, lastSeen) in state.lastSeen {
            services.presence.set(userId, PresenceBoard.Entry(status: .offline, expiresAt: 0, lastSeen: lastSeen))
        }
        files.restore(state.files)
        return (rooms, replies)
    }

    /// Handles one request to its reply at once, past the lanes: for tests that need no ordering.
    func handle(_ request: InboundRequest) async {
        guard let inbound = processor.admit(request, match: router.match(request.topic)) else { return }
        await processor.handle(inbound)
    }

    // MARK: Without a transport

    /// Takes a request as a transport that cannot wait does (the gateway, HTTP): through classify, admit
    /// and its lane, answered busy when the lane is full. `runLanes()` must be running.
    package func submit(_ request: InboundRequest) {
        pipeline.submit(request)
    }

    /// Runs the lanes until `finishLanes()`: what the `RequestLanes` service does inside `ChatEngine`.
    package func runLanes() async {
        let processor = self.processor
        await dispatcher.run { await processor.perform($0) }
    }

    /// Lets the lanes finish the requests they hold, then `runLanes()` returns.
    package func finishLanes() {
        dispatcher.finish()
    }
}
