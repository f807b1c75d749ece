import Crypto
import Foundation
import Hummingbird
import Logging
import Synchronization
import Wire
#if canImport(Glibc)
import Glibc
#endif

/// A push gateway stand-in: an HTTP server on a loopback port that records every POST to `/push`,
/// answering 500 to the first `failFirst` of them and 200 after, and checks each one's signature.
final class WebhookReceiver: Sendable {
    struct Push: Sendable {
        let body: [UInt8]
        let signature: String?
        let pushId: String?
        /// When it was answered 200 (set on acceptance).
        var acceptedAt = ContinuousClock.now
        var json: JSONValue { (try? JSONParser.parse(body)) ?? .null }
    }

    private struct State {
        var attempts = 0
        var failFirst = 0
        var accepted: [Push] = []
    }

    let port: Int
    let secret: [UInt8]
    private let state: Mutex<State>
    private let task = Mutex<Task<Void, Error>?>(nil)

    init(port: Int, secret: String, failFirst: Int = 0) {
        self.port = port
        self.secret = Array(secret.utf8)
        state = Mutex(State(failFirst: failFirst))
    }

    var url: String { "http://127.0.0.1:\(port)/push" }

    /// Starts listening; returns once a connection is accepted.
    func start() async throws {
        let router = Hummingbird.Router()
        router.post("push") { [self] request, _ -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 1 << 20)
            let push = Push(
                body: Array(body.readableBytesView),
                signature: request.headers[.init("X-Chat-Signature")!],
                pushId: request.headers[.init("X-Chat-Push-Id")!])
            return state.withLock { state in
                state.attempts += 1
                if state.failFirst > 0 {
                    state.failFirst -= 1
                    return .internalServerError
                }
                var accepted = push
                accepted.acceptedAt = .now
                state.accepted.append(accepted)
                return .ok
            }
        }
        var logger = Logger(label: "webhook-receiver")
        // Stopping by cancellation makes Hummingbird log errors that are not the test's.
        logger.logLevel = .critical
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        task.withLock { $0 = Task { try await app.runService(gracefulShutdownSignals: []) } }
        for _ in 0..<500 {
            if let fd = LoopbackSocket.connect(port: port) {
                close(fd)
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TestFailure("the webhook receiver did not listen on \(port)")
    }

    func stop() async {
        let running = task.withLock { task in defer { task = nil }; return task }
        running?.cancel()
        _ = try? await running?.value
    }

    /// POSTs received, accepted or not.
    var attempts: Int { state.withLock { $0.attempts } }
    /// The pushes answered 200, in arrival order.
    var accepted: [Push] { state.withLock { $0.accepted } }

    /// Whether `push` carries `sha256=<hex HMAC-SHA256 of its body>` keyed with the secret, recomputed here.
    func verify(_ push: Push) -> Bool {
        let mac = HMAC<SHA256>.authenticationCode(for: push.body, using: SymmetricKey(data: secret))
        let hex = mac.map { String(format: "%02x", $0) }.joined()
        return push.signature == "sha256=" + hex
    }

    /// Waits until `count` pushes were accepted; returns them.
    @discardableResult
    func waitForAccepted(_ count: Int, timeout: Double = 15) async throws -> [Push] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let accepted = self.accepted
            if accepted.count >= count { return accepted }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestFailure("\(accepted.count) of \(count) pushes arrived within \(timeout) s (\(attempts) attempts)")
    }
}
