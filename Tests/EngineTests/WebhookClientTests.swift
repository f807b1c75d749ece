import Actors
@testable import Engine
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The webhook client's failures, without a gateway: a port nobody listens on, and a listener that never
/// answers (the kernel completes the handshake from the backlog; nobody accepts).
struct WebhookClientTests {
    static let push = PendingPush(id: "p-1", userId: "bob", body: Array(#"{"user_id":"bob"}"#.utf8), queuedAt: 0)

    /// A loopback listening socket that never accepts, and its port.
    static func silentListener() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EBADF) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    @Test func aTargetThatNeverAnswersFailsAtTheTimeout() async throws {
        let (fd, port) = try Self.silentListener()
        defer { close(fd) }
        let client = WebhookClient(target: WebhookTarget(host: "127.0.0.1", port: port, path: "/push"), secret: [1], timeout: 0.3)
        let started = ContinuousClock.now
        let outcome = await client.post(Self.push)
        let elapsed = ContinuousClock.now - started
        guard case .failed(let reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(reason.contains("no answer"), "\(reason)")
        // Not sooner than the deadline; the upper bound is loose: with the whole test run sharing 2 cores,
        // resuming after the deadline took seconds.
        #expect(elapsed >= .milliseconds(250) && elapsed < .seconds(30), "\(elapsed)")
    }

    @Test func aRefusedConnectionFailsAtOnce() async throws {
        let (fd, port) = try Self.silentListener()
        close(fd)
        // A deadline far beyond the answer: the refusal, not the deadline, ends the POST.
        let client = WebhookClient(target: WebhookTarget(host: "127.0.0.1", port: port, path: "/push"), secret: [1], timeout: 120)
        let started = ContinuousClock.now
        guard case .failed(let reason) = await client.post(Self.push) else { Issue.record("not a failure"); return }
        #expect(reason.hasPrefix("connect"), "\(reason)")
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test func theRequestIsSignedAndNamesThePush() {
        let client = WebhookClient(target: WebhookTarget(host: "::1", port: 9000, path: "/push?x=1"), secret: Array("k".utf8), timeout: 1)
        let head = client.request(Self.push)
        #expect(head.uri == "/push?x=1")
        #expect(head.headers["Host"] == ["[::1]:9000"])
        #expect(head.headers["X-Chat-Push-Id"] == ["p-1"])
        #expect(head.headers["Content-Length"] == ["\(Self.push.body.count)"])
        #expect(head.headers["X-Chat-Signature"] == [WebhookSignature.sign(Self.push.body, secret: Array("k".utf8))])
    }
}
