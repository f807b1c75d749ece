import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization

/// Why an upgrade was refused: the status and the line of text that replace the framework's empty 400.
struct UpgradeRefusal: Sendable {
    let status: HTTPResponse.Status
    let text: String
}

/// Refusals decided by the upgrade router, waiting for the response they replace, by connection.
///
/// HummingbirdWebSocket answers every upgrade its router declines with an empty `400 Bad Request`, so a
/// browser or a client library could not tell a bad token (401) from a full server (429, 503). The router
/// records its reason here against the connection; `RefusedUpgradeHandler` then rewrites that 400.
final class RefusedUpgrades: Sendable {
    private let pending = Mutex<[ObjectIdentifier: UpgradeRefusal]>([:])

    func record(_ refusal: UpgradeRefusal, for channel: any Channel) {
        let key = ObjectIdentifier(channel)
        pending.withLock { $0[key] = refusal }
        // A connection that closes before its answer is written leaves nothing behind.
        channel.closeFuture.whenComplete { [self] _ in _ = take(key) }
    }

    func take(for channel: any Channel) -> UpgradeRefusal? { take(ObjectIdentifier(channel)) }

    private func take(_ key: ObjectIdentifier) -> UpgradeRefusal? {
        pending.withLock { $0.removeValue(forKey: key) }
    }

    var count: Int { pending.withLock { $0.count } }
}

/// On the HTTP pipeline a refused upgrade falls back to: replaces the empty 400 with the recorded refusal
/// (status, `Content-Type`, text). Every other response passes through untouched. It knows no chat rule.
final class RefusedUpgradeHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let refusals: RefusedUpgrades
    private var replacing = false

    init(refusals: RefusedUpgrades) {
        self.refusals = refusals
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let response) where response.status == .badRequest:
            guard let refusal = refusals.take(for: context.channel) else { break }
            replacing = true
            let body = ByteBuffer(string: refusal.text)
            var head = response
            head.status = refusal.status
            head.headerFields[.contentLength] = String(body.readableBytes)
            head.headerFields[.contentType] = "text/plain; charset=utf-8"
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(body)), promise: promise)
            return
        case .body where replacing:
            promise?.succeed()
            return
        case .end where replacing:
            replacing = false
        default:
            break
        }
        context.write(data, promise: promise)
    }
}

/// The request context of the upgrade router: Hummingbird's WebSocket context plus the connection, so a
/// refusal can be recorded against it.
struct GatewayRequestContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        channel = source.channel
    }
}
