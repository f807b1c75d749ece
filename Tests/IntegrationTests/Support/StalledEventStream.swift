import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An event stream whose reader never reads: a raw socket with a small receive buffer.
final class StalledEventStream: Sendable {
    let fd: Int32

    init(port: Int, token: String) throws {
        guard let fd = LoopbackSocket.connect(port: port, receiveBuffer: 4096) else {
            throw TestFailure("cannot connect to 127.0.0.1:\(port)")
        }
        let request = Array("GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n\r\n".utf8)
        guard write(fd, request, request.count) == request.count else { throw TestFailure("cannot send the request") }
        self.fd = fd
    }

    /// Reads what the server had sent until it closes the connection (true) or `timeout` passes.
    func drainUntilClosed(timeout: Int) -> Bool {
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count == 0 { return true }
            if count < 0 { return errno == ECONNRESET }
        }
    }

    func close() { Glibc.close(fd) }
}
