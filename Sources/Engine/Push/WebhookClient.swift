import Actors
import NIOCore
import NIOHTTP1
import NIOPosix

/// A minimal HTTP/1.1 client for the push webhook: one connection per POST (`Connection: close`), a
/// deadline over connecting, sending and reading the answer, and the status mapped to a queue outcome.
///
/// Why not AsyncHTTPClient: a POST to one plain-HTTP address needs none of its pooling, TLS or redirects,
/// and its build time would be most of this feature's. A connection per push costs a loopback or LAN
/// handshake, well under the gateway's own work; a busy deployment can raise `--push-concurrency`.
struct WebhookClient: Sendable {
    let target: WebhookTarget
    let secret: [UInt8]
    let timeout: Duration
    let group: any EventLoopGroup

    init(target: WebhookTarget, secret: [UInt8], timeout: Double, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.target = target
        self.secret = secret
        self.timeout = .milliseconds(Int64(timeout * 1000))
        self.group = group
    }

    /// POSTs one push's body, signed; never throws: every failure is an outcome.
    func post(_ push: PendingPush) async -> PushQueue.Outcome {
        let started = ContinuousClock.now
        let channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
        do {
            let bootstrap = ClientBootstrap(group: group)
                .connectTimeout(.nanoseconds(Int64(Self.nanoseconds(timeout))))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
            let initializer: @Sendable (any Channel) -> EventLoopFuture<NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>> = { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
            // An address needs no resolver (getaddrinfo runs off the event loop, on a thread of its own).
            if let address = try? SocketAddress(ipAddress: target.host, port: target.port) {
                channel = try await bootstrap.connect(to: address, channelInitializer: initializer)
            } else {
                channel = try await bootstrap.connect(host: target.host, port: target.port, channelInitializer: initializer)
            }
        } catch {
            return .failed("connect: \(error)")
        }
        let left = timeout - (ContinuousClock.now - started)
        let request = self.request(push)
        return await withTaskGroup(of: PushQueue.Outcome?.self) { group in
            group.addTask { await Self.exchange(request, body: push.body, on: channel) }
            group.addTask {
                try? await Task.sleep(for: left)
                return Task.isCancelled ? nil : .failed("no answer within \(timeout)")
            }
            let outcome = await group.next() ?? nil
            group.cancelAll()
            // Ends the exchange if it is still waiting for an answer.
            channel.channel.close(promise: nil)
            return outcome ?? .failed("cancelled")
        }
    }

    func request(_ push: PendingPush) -> HTTPRequestHead {
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: target.path)
        head.headers.add(name: "Host", value: target.hostHeader)
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Content-Length", value: String(push.body.count))
        head.headers.add(name: "User-Agent", value: "chat-engine/\(ChatEngine.version)")
        head.headers.add(name: "Connection", value: "close")
        head.headers.add(name: WebhookSignature.header, value: WebhookSignature.sign(push.body, secret: secret))
        head.headers.add(name: "X-Chat-Push-Id", value: push.id)
        return head
    }

    private static func exchange(
        _ head: HTTPRequestHead, body: [UInt8], on channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
    ) async -> PushQueue.Outcome {
        do {
            return try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(.head(head))
                try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
                try await outbound.write(.end(nil))
                var status: HTTPResponseStatus?
                for try await part in inbound {
                    switch part {
                    case .head(let response): status = response.status
                    case .body: continue
                    case .end: return Self.outcome(status.map { Int($0.code) })
                    }
                }
                return status.map { Self.outcome(Int($0.code)) } ?? .failed("connection closed before an answer")
            }
        } catch {
            return .failed("\(error)")
        }
    }

    /// 2xx delivered; 408, 429 and 5xx failed (retried); any other status rejected.
    static func outcome(_ code: Int?) -> PushQueue.Outcome {
        guard let code else { return .failed("no status") }
        switch code {
        case 200..<300: return .delivered
        case 408, 429, 500...: return .failed("HTTP \(code)")
        default: return .rejected(Int(code))
        }
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
