import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import ServiceLifecycle

extension WebGateway {
    /// Seconds a client waits before it reconnects: `retry:` for EventSource, `Retry-After` on a refusal.
    static let reconnectDelay = 3.0
    /// What an event stream is sent when it opens: the reconnect delay browsers' EventSource honours.
    static let eventStreamPreamble = "retry: \(Int(reconnectDelay * 1000))\n\n"
    /// The keep-alive: a comment line, which EventSource ignores.
    static let keepAliveComment = ":\n\n"

    /// `GET /api/v1/events` (SPEC §11): everything the engine publishes to the caller's `chat/user/{id}/…`
    /// topics, in order, as server-sent events. The token comes as `Authorization: Bearer` or, for
    /// EventSource, which cannot set headers, `?access_token=`. The stream counts against the same caps
    /// as WebSockets; one that falls `queueCapacity` events or `maxQueuedBytes` behind is cut off.
    func eventStream(_ request: Hummingbird.Request, context: GatewayRequestContext) -> Response {
        let token = request.headers.bearerToken ?? request.uri.queryParameters["access_token"]
        guard let user = identify(token: token) else {
            var response = OperationsServer.text(
                Array("a valid token is required: Authorization: Bearer <token> (or ?access_token=…)\n".utf8), status: .unauthorized)
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }
        let stream = GatewaySocket(
            userId: user.userId, kind: .eventStream, capacity: configuration.queueCapacity, maxBytes: configuration.maxQueuedBytes)
        if let refusal = engine.sockets.add(stream, limits: limits) {
            var response = switch refusal {
            case .userFull:
                OperationsServer.text(
                    Array("too many connections: \(user.userId) has \(limits.socketsPerUser) open; close one first\n".utf8),
                    status: .tooManyRequests)
            case .totalFull:
                OperationsServer.text(
                    Array("the server has as many connections as it takes; try again later\n".utf8), status: .serviceUnavailable)
            }
            // EventSource reconnects on its own after `retry:`; other clients learn when to try again here.
            response.headers[.retryAfter] = "\(Int(Self.reconnectDelay))"
            return response
        }
        let channel = context.channel
        let keepAlive = configuration.keepAliveInterval
        let logger = self.logger
        logger.debug("event stream opened", metadata: ["user": "\(user.userId)", "open": "\(engine.sockets.count)"])
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/event-stream", .cacheControl: "no-cache",
                // nginx would otherwise hold events back in its buffer.
                HTTPField.Name("X-Accel-Buffering")!: "no",
            ],
            body: ResponseBody { [engine] writer in
                let helpers = Task {
                    await withDiscardingTaskGroup { group in
                        group.addTask { await Self.sendKeepAlives(to: stream, every: keepAlive) }
                        group.addTask {
                            // A reader that stopped reading leaves a write waiting on TCP for good: closing
                            // the connection is what ends it.
                            for await _ in stream.overflows {}
                            if stream.isOverflowed { Self.cutOff(stream, channel: channel, logger: logger) }
                        }
                        group.addTask {
                            // At shutdown the stream ends cleanly, so the listener need not wait for it.
                            try? await gracefulShutdown()
                            stream.finish()
                        }
                    }
                }
                defer {
                    helpers.cancel()
                    engine.sockets.remove(stream)
                    stream.finish()
                    logger.debug("event stream closed", metadata: ["user": "\(user.userId)"])
                }
                try await writer.write(ByteBuffer(string: Self.eventStreamPreamble))
                for await event in stream.frames {
                    stream.dequeued(event)
                    guard !stream.isOverflowed else { break }
                    try await writer.write(event)
                }
                // Ending the response would leave the connection open for the next request.
                if stream.isOverflowed { return Self.cutOff(stream, channel: channel, logger: logger) }
                try await writer.finish(nil)
            })
    }

    /// Closes the connection of a stream that fell too far behind (closing twice is harmless).
    static func cutOff(_ stream: GatewaySocket, channel: any Channel, logger: Logger) {
        logger.info("event stream closed: slow consumer", metadata: ["user": "\(stream.userId)"])
        channel.close(promise: nil)
    }

    /// Queues a comment every `interval` seconds until the stream ends; a stream that takes none of them
    /// overflows like one that takes no events.
    static func sendKeepAlives(to stream: GatewaySocket, every interval: Double) async {
        let comment = ByteBuffer(string: keepAliveComment)
        while !Task.isCancelled {
            do { try await Task.sleep(for: .milliseconds(Int(interval * 1000))) } catch { return }
            if !stream.enqueue(comment) { return }
        }
    }
}
