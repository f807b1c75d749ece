import Foundation
import Wire
#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/1.1 client of the engine's API over a raw loopback socket (not the project's code): one
/// request per connection, the whole response read until the server closes it.
struct APIClient: Sendable {
    let port: Int
    /// The token sent as `Authorization: Bearer` (nil: no header).
    var token: String?

    /// A response: status, headers (names lower-cased) and body.
    struct Response: Sendable {
        let status: Int
        let headers: [String: String]
        let body: [UInt8]

        /// The body as JSON (`.null` when it is not).
        var json: JSONValue { (try? JSONParser.parse(body)) ?? .null }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// `POST /api/v1/{route}` with a JSON body.
    func post(_ route: String, _ fields: [String: JSONValue] = [:], headers: [String] = []) async throws -> Response {
        try await send("POST", "/api/v1/" + route, body: JSONValue.object(fields).serialized(), headers: headers)
    }

    /// Sends one request: `body` (with its `Content-Length`, unless `declaredLength` claims another) and
    /// extra header lines (`Name: value`).
    func send(
        _ method: String, _ path: String, body: [UInt8] = [], declaredLength: Int? = nil, headers: [String] = []
    ) async throws -> Response {
        let token = self.token
        let port = self.port
        return try await offCooperativePool {
            var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
            if let token { head += "Authorization: Bearer \(token)\r\n" }
            head += "Content-Type: application/json\r\nContent-Length: \(declaredLength ?? body.count)\r\n"
            head += headers.map { $0 + "\r\n" }.joined() + "\r\n"
            return try Self.exchange(port: port, Array(head.utf8) + body)
        }
    }

    static func exchange(port: Int, _ request: [UInt8]) throws -> Response {
        guard let fd = LoopbackSocket.connect(port: port) else { throw TestFailure("cannot connect to 127.0.0.1:\(port)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var sent = 0
        while sent < request.count {
            let count = request[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            // A server that refused the request (413) may close before it has all of it: read its answer.
            if count <= 0 { break }
            sent += count
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 { response += buffer[0..<count] } else if count == 0 || errno == ECONNRESET { break } else {
                throw TestFailure("recv failed: errno \(errno)")
            }
        }
        return try parse(response)
    }

    static func parse(_ bytes: [UInt8]) throws -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let split = (0..<max(0, bytes.count - 3)).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else {
            throw TestFailure("no HTTP header in '\(String(decoding: bytes.prefix(200), as: UTF8.self))'")
        }
        let lines = String(decoding: bytes[..<split], as: UTF8.self).components(separatedBy: "\r\n")
        guard let status = lines.first?.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            throw TestFailure("bad status line '\(lines.first ?? "")'")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(bytes[(split + 4)...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = Array(HTTPProbe.dechunk(String(decoding: body, as: UTF8.self)).utf8) }
        return Response(status: status, headers: headers, body: body)
    }
}
