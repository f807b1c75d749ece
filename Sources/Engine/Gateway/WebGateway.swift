import Actors
import Dispatch
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import Wire

/// The browser transport: WebSockets on the operations HTTP listener whose frames go through the engine's
/// own request pipeline, and which receive everything the engine publishes to their user's inbox.
///
/// It is a transport, not a second engine: a frame `{"topic": "chat/…", "payload": {…}}` becomes an
/// `InboundRequest` carrying the socket's token and goes through the same pipeline as a request from the
/// broker (classify → admit → lane), so routing, authentication, de-duplication, the rate limit,
/// middleware and handlers are the same; replies and events come back through `GatewayOutbox`.
public final class WebGateway: Sendable {
    let engine: ChatEngine
    let configuration: WebGatewayConfiguration
    let resources: WebResources
    let logger: Logger
    /// Admission (decoding, the token check, the rate limit) runs here, off the cooperative pool. One
    /// serial queue, like libmosquitto's one thread, keeps each socket's requests in order.
    private let intake = DispatchQueue(label: "chat-engine.gateway.intake")
    /// Reasons of refused upgrades, until they replace the framework's empty 400.
    let refusedUpgrades = RefusedUpgrades()

    /// - Parameters:
    ///   - engine: the engine whose pipeline and inboxes the sockets share.
    ///   - configuration: frame size and queue limits.
    ///   - logger: where sessions log (debug level).
    public init(engine: ChatEngine, configuration: WebGatewayConfiguration = .init(), logger: Logger) {
        self.engine = engine
        self.configuration = configuration
        self.resources = WebResources.bundled()
        self.logger = logger
        if resources.directory == nil {
            logger.warning("the web client's files were not found; / answers 404 (the WebSocket gateway still works)", metadata: [
                "searched": "\(WebResources.searchPath.map(\.path))",
            ])
        }
    }

    /// Number of open WebSockets.
    public var openSockets: Int { engine.sockets.count }

    /// The caps on open sockets: per user and in total.
    var limits: UserLimits { engine.services.configuration.limits }

    /// The user a token stands for, or nil when it is missing, forged or expired.
    func identify(token: Substring?) -> Identity? {
        guard let token, !token.isEmpty,
              let claims = try? engine.processor.authenticator.claims(of: String(token), now: engine.services.now())
        else { return nil }
        return Identity(userId: claims.sub, name: claims.displayName, isAdmin: claims.isAdmin)
    }

    // MARK: Sessions

    /// Runs one socket until either side closes it or it falls too far behind.
    func serve(
        _ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, channel: any Channel, token: String, user: Identity
    ) async {
        let socket = GatewaySocket(
            userId: user.userId, capacity: configuration.queueCapacity, maxBytes: configuration.maxQueuedBytes)
        if let refusal = engine.sockets.add(socket, limits: limits) {
            // Another socket took the last place between the upgrade check and now.
            logger.info("web socket refused: too many open", metadata: ["user": "\(user.userId)", "limit": "\(refusal)"])
            await Self.close(outbound, refusal)
            return
        }
        defer {
            engine.sockets.remove(socket)
            socket.finish()
        }
        logger.debug("web socket opened", metadata: ["user": "\(user.userId)", "open": "\(engine.sockets.count)"])
        socket.enqueue(GatewayFrame.envelope(topic: Inbox.prefix(user.userId) + "session", payload: JSONValue.object([
            "type": "session", "user_id": .string(user.userId), "name": .string(user.name), "is_admin": .bool(user.isAdmin),
        ]).serialized()))
        var slowConsumer = false
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.read(inbound, socket: socket, token: token)
                socket.finish()
                return false
            }
            group.addTask {
                await Self.write(socket, to: outbound)
                return false
            }
            group.addTask {
                for await _ in socket.overflows {}
                if socket.isOverflowed {
                    // A writer waiting on TCP for a reader that stopped reading ignores cancellation, and the
                    // close frame cannot get past it either: after the close frame's grace period the
                    // connection itself goes, which ends both.
                    channel.eventLoop.scheduleTask(in: .seconds(Int64(Self.slowConsumerGrace))) { channel.close(promise: nil) }
                }
                return socket.isOverflowed
            }
            for await overflowed in group where overflowed {
                slowConsumer = true
                group.cancelAll()
            }
        }
        if slowConsumer {
            logger.info("web socket closed: slow consumer", metadata: ["user": "\(user.userId)"])
            await Self.closeSlowConsumer(outbound)
        }
        await deviceClosed(socket, user: user)
        logger.debug("web socket closed", metadata: ["user": "\(user.userId)"])
    }

    /// Reads the client's frames and submits each request, one at a time, in order.
    func read(_ inbound: WebSocketInboundStream, socket: GatewaySocket, token: String) async {
        do {
            for try await message in inbound.messages(maxSize: configuration.maxMessageSize) {
                guard case .text(let text) = message else {
                    socket.enqueue(GatewayFrame.refusal(
                        .init(error: ChatError(.invalidPayload, "frames are JSON text, not binary"), topic: "", requestId: nil),
                        userId: socket.userId))
                    continue
                }
                let bytes = Array(text.utf8)
                guard identify(token: Substring(token)) != nil else {
                    // The token expired while the socket was open: say so, then stop reading (the socket closes).
                    let requestId = (try? JSONParser.parse(bytes))?["payload"]?["request_id"]?.stringValue
                    socket.enqueue(GatewayFrame.refusal(
                        .init(error: ChatError(.unauthorized, "the token has expired; sign in again"), topic: "", requestId: requestId),
                        userId: socket.userId))
                    return
                }
                switch GatewayFrame.request(from: bytes, device: socket.device) {
                case .failure(let refusal):
                    socket.enqueue(GatewayFrame.refusal(refusal, userId: socket.userId))
                case .success(let request):
                    await submit(InboundRequest(topic: request.topic, payload: request.payload, credentials: .bearer(token)))
                }
            }
        } catch {
            logger.debug("web socket read ended", metadata: ["error": "\(error)"])
        }
    }

    /// Takes the socket's presence device offline, as a client would before closing, through the presence
    /// route like any request. The socket authenticated its user when it opened, so this holds even when
    /// the token has expired since; without it a closed tab would leave its user online for a whole TTL.
    func deviceClosed(_ socket: GatewaySocket, user: Identity) async {
        await submit(InboundRequest(
            topic: GatewayFrame.presencePrefix + "offline",
            payload: JSONValue.object(["device": .string(socket.device)]).serialized(), credentials: .verified(user)))
    }

    /// Hands a request to the engine from the intake queue, in arrival order; returns once it has a place
    /// in its lane or was answered busy.
    func submit(_ request: InboundRequest) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            intake.async { [engine] in
                engine.submit(request)
                continuation.resume()
            }
        }
    }

    /// Writes queued frames in order until the queue ends, the socket overflows or a write fails.
    static func write(_ socket: GatewaySocket, to outbound: WebSocketOutboundWriter) async {
        for await frame in socket.frames {
            socket.dequeued(frame)
            guard !socket.isOverflowed, !Task.isCancelled else { return }
            do {
                try await outbound.withTextMessageWriter { try await $0(frame) }
            } catch {
                socket.finish()
                return
            }
        }
    }

    /// Closes a socket over a cap: 1008 (policy violation) when its user has too many, 1013 (try again
    /// later) when the engine has.
    static func close(_ outbound: WebSocketOutboundWriter, _ refusal: SocketRegistry.Refusal) async {
        switch refusal {
        case .userFull: try? await outbound.close(.policyViolation, reason: "too many connections for this user")
        case .totalFull: try? await outbound.close(.unknown(1013), reason: "too many connections; try again later")
        }
    }

    /// Seconds a slow consumer's close frame gets before its connection is closed under it.
    static let slowConsumerGrace = 5.0

    /// Sends close 1008 (policy violation), giving up after a few seconds (a peer that reads nothing never
    /// takes it; the server then drops the connection after its close timeout).
    static func closeSlowConsumer(_ outbound: WebSocketOutboundWriter) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await outbound.close(.policyViolation, reason: "slow consumer: outbound queue full") }
            group.addTask { try? await Task.sleep(for: .seconds(slowConsumerGrace)) }
            await group.next()
            group.cancelAll()
        }
    }
}
